"""Issuer use-case: revoke, suspend and unsuspend an issued record.

Only the institution that issued a record changes its status; for anyone else the record
does not exist (404). Revocation is final: a revoked record is never unsuspended or
un-revoked (409). Repeating a change that already holds changes nothing and is answered
as such (idempotent). Every change is in the audit log with who (token name, staff account
or CLI user), when and why, in the transaction that makes it; the caller commits once.

The change is written to the record and moves its list's version on, so every process
sees it within its re-read interval (DESIGN §4), and every envelope of the record (vc+jwt,
dc+sd-jwt) shares the one slot, so all of them change at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from sqlmodel import Session

from wallet.db import crud, status_crud
from wallet.errors import ConflictError, InputError, NotFoundError

#: The longest reason kept in the audit log.
MAX_REASON = 500
_VALID, _REVOKED, _SUSPENDED = 0, 1, 2
STATE_NAMES = {_VALID: "valid", _REVOKED: "revoked", _SUSPENDED: "suspended"}


class Action(StrEnum):
    """What an issuer may do to a record's status."""

    REVOKE = "revoke"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"


_TARGET = {Action.REVOKE: _REVOKED, Action.SUSPEND: _SUSPENDED, Action.UNSUSPEND: _VALID}


class StatusChange(NamedTuple):
    """The outcome: the record's state now, and whether this call changed it."""

    credential_id: str
    status: str
    changed: bool


def check_reason(reason: str) -> str:
    """The reason, trimmed; it must say something and fit the audit log.

    :raises InputError: when it is empty or longer than :data:`MAX_REASON` characters.
    """
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > MAX_REASON or "\x00" in text:
        raise InputError(f"a reason of 1 to {MAX_REASON} characters is required")
    return text


def change_status(
    session: Session,
    *,
    issuer_slug: str,
    credential_id: str,
    action: Action,
    reason: str,
    actor: str,
    now: int,
) -> StatusChange:
    """Apply ``action`` to the issuer's record ``credential_id``; the caller commits.

    :param actor: who asks, as the audit log names them (``token:NAME``, ``staff:…``,
        ``cli:USER``).
    :raises NotFoundError: when the issuer has no such record (another issuer's included).
    :raises ConflictError: when the record is revoked and ``action`` is not a revocation,
        or it was issued without a status slot.
    :raises InputError: for a missing or overlong reason.
    """
    why = check_reason(reason)
    list_id = status_crud.lock_list_of(
        session, credential_id=credential_id, issuer_slug=issuer_slug
    )
    if list_id is None:
        record = crud.get_record(session, credential_id=credential_id)
        if record is None or record.issuer_slug != issuer_slug:
            raise NotFoundError("no such credential")
        raise ConflictError("this credential was issued without a status list entry")
    current = status_crud.current_status(session, credential_id=credential_id)
    assert current is not None
    target = _TARGET[action]
    if current == _REVOKED and target != _REVOKED:
        raise ConflictError("the credential is revoked, and revocation is final")
    if current == target:
        return StatusChange(credential_id, STATE_NAMES[current], changed=False)
    version = status_crud.set_status(
        session, credential_id=credential_id, list_id=list_id, status=target, now=now
    )
    crud.add_audit(
        session, at=now, actor=actor, action=f"credential.{action.value}", target=credential_id,
        detail={"reason": why, "from": STATE_NAMES[current], "to": STATE_NAMES[target],
                "statusList": list_id, "listVersion": version},
    )  # fmt: skip
    return StatusChange(credential_id, STATE_NAMES[target], changed=True)
