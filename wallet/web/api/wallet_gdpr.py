"""Export and erasure of a learner's wallet (GDPR art. 15, 17 and 20) as the JSON API
(:mod:`wallet.web.api.wallet`) and the wallet pages (:mod:`wallet.web.pages.wallet`) both
do them: the account password proven again, the rules of the passphrase that encrypts the
holder keys, the audit record and the archive's answer (``docs/wallet.md``).

The callers commit.
"""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from wallet import accounts, holder
from wallet.db import crud
from wallet.errors import InputError
from wallet.service import Services
from wallet.sessions import Principal
from wallet.vc import format_datetime_stamp

#: Shortest passphrase that may encrypt exported holder keys.
MIN_PASSPHRASE_CHARS = 12
#: Longest passphrase read (the same cap as passwords).
MAX_PASSPHRASE_CHARS = 1024


def check_key_choice(*, password: str, include_keys: bool, passphrase: str | None) -> None:
    """Check the choice to export the holder keys and the passphrase that encrypts them.

    :raises InputError: for keys without a passphrase, a passphrase without keys, a
        passphrase that is the account password, or one of the wrong length.
    """
    if include_keys and passphrase is None:
        raise InputError("includeKeys needs a passphrase that encrypts the keys")
    if not include_keys and passphrase is not None:
        raise InputError("a passphrase is only used with includeKeys")
    if passphrase is not None and passphrase == password:
        raise InputError("choose a passphrase other than the account password")
    if passphrase is not None and not (
        MIN_PASSPHRASE_CHARS <= len(passphrase) <= MAX_PASSPHRASE_CHARS
    ):
        raise InputError(
            f"the passphrase has {MIN_PASSPHRASE_CHARS} to {MAX_PASSPHRASE_CHARS} characters"
        )


def export_archive(
    session: Session,
    *,
    services: Services,
    principal: Principal,
    password: str,
    passphrase: str | None,
    now: int,
) -> bytes:
    """Prove the password again, then everything the wallet holds as one ZIP archive (with
    the holder keys when there is a ``passphrase``); the export is audited.

    :raises AuthenticationError: for a wrong password (nothing is exported).
    :raises RateLimitedError: after too many wrong passwords for the account.
    """
    account = accounts.reauthenticate(
        session, ctx=services.accounts, principal=principal, password=password, now=now
    )
    archive = holder.export(
        session, ctx=services.holder, account=account, now=now, passphrase=passphrase
    )
    crud.add_audit(
        session, at=now, actor=principal.actor, action="wallet.export",
        target=principal.actor, detail={"keys": passphrase is not None},
    )  # fmt: skip
    return archive


def archive_response(archive: bytes, *, now: int) -> Response:
    """The archive as an attachment named after the day of the export."""
    day = format_datetime_stamp(now)[:10]
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="imk-wallet-{day}.zip"',
            "Cache-Control": "no-store",
        },
    )


def erase_wallets(
    session: Session, *, services: Services, principal: Principal, password: str, now: int
) -> int:
    """Prove the password again, then erase every wallet of the account; the erasure is
    audited. Return how many wallets went.

    :raises AuthenticationError: for a wrong password (nothing is erased).
    :raises RateLimitedError: after too many wrong passwords for the account.
    """
    accounts.reauthenticate(
        session, ctx=services.accounts, principal=principal, password=password, now=now
    )
    erased = holder.erase(session, account_id=principal.account_id)
    crud.add_audit(
        session, at=now, actor=principal.actor, action="wallet.erase",
        target=principal.actor, detail={"wallets": erased},
    )  # fmt: skip
    return erased
