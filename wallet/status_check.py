"""Checking a credential's status: revoked, suspended, valid, or honestly "unknown".

Every verify path (API, CLI, wallet view, share pages) reaches this through
:mod:`wallet.verifier`. Lists of our own issuers come from
:class:`~wallet.status_lists.OwnStatusLists` (the database, at most a second old:
DESIGN §4); lists of external issuers from an
:class:`ExternalLists` (fetched from allow-listed hosts, cached per their ttl, decoded once
per fetch). Either way a lookup is a dict or byte access, whatever the list's length.

A status that cannot be established raises a :class:`~wallet.errors.StatusUnknownError`
(the verifier reports "unknown" and the credential does not verify, unless the documented
policy switch accepts it with a warning). Revoked and suspended raise
:class:`~wallet.errors.RevokedError` and :class:`~wallet.errors.SuspendedError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from wallet.errors import (
    RevokedError,
    StatusListLengthError,
    StatusListVerificationError,
    StatusRetrievalError,
    StatusUnknownError,
    SuspendedError,
)
from wallet.status import bit_at, value_at
from wallet.status_lists import ListState
from wallet.status_refs import ENTRY_TYPE, REVOCATION, SUSPENSION, TOKEN, OwnList, parse_own
from wallet.trust import IssuerEntry

#: IETF Token Status List values (draft-ietf-oauth-status-list §7.1).
_VALID, _INVALID, _SUSPENDED = 0, 1, 2
_REASONS = {
    1: "not revoked",
    2: "not suspended",
    3: "not revoked or suspended",
}
#: Largest index accepted (the lists we can address; beyond it the entry is malformed).
_MAX_INDEX = 2**40


class ListSource(Protocol):
    """Where our own lists come from: :class:`OwnStatusLists` or a transaction's view."""

    def get(self, list_id: int) -> ListState | None:
        """The list ``list_id``, or None when there is none."""


class ExternalLists(Protocol):
    """Lists of external issuers (``wallet.status_external.ExternalStatusLists``)."""

    def bitstring(self, url: str, *, purpose: str, issuer: IssuerEntry, now: int) -> bytes:
        """The decoded bitstring of a verified W3C status list credential."""

    def token(self, uri: str, *, issuer: IssuerEntry, now: int) -> tuple[bytes, int]:
        """The packed values and bits per entry of a verified Status List Token."""


#: (issuer slug, list id, index, the value that fails the entry's purpose)
_Slot = tuple[str, int, int, int]
#: Parsed URLs and entries kept per process, at most (then forgotten and parsed again).
_MAX_REMEMBERED = 100_000


def _entry_index(purpose: object, url: object, position: object) -> int:
    """The index of a well-formed entry (Bitstring Status List §2.1)."""
    if purpose not in (REVOCATION, SUSPENSION):
        raise StatusUnknownError(f"status purpose {purpose!r} is not supported here")
    if type(url) is not str:
        raise StatusListVerificationError("the entry names no statusListCredential")
    # statusListIndex is a string holding a non-negative integer.
    if type(position) is not str or not (position.isascii() and position.isdigit()):
        raise StatusListVerificationError("statusListIndex must be a string of digits")
    if len(position) > 13:
        raise StatusListLengthError("the status index is beyond any list")
    return int(position)


def _entry_error(purpose: object, url: object, position: object) -> StatusUnknownError:
    """The error of an entry whose members are not all strings."""
    try:
        _entry_index(purpose, url, position)
    except StatusUnknownError as exc:
        return exc
    raise AssertionError("an entry of strings reached the error path")  # pragma: no cover


def _index_of(value: int) -> int:
    if value < 0:
        raise StatusListVerificationError("the status index is not a non-negative integer")
    if value >= _MAX_INDEX:
        raise StatusListLengthError("the status index is beyond any list")
    return value


class StatusChecker:
    """The status check of every verification.

    :param external: where external issuers' lists come from; None when this deployment
        fetches none (their credentials' status is then "unknown").
    """

    def __init__(self, own: ListSource, *, base_url: str, external: ExternalLists | None) -> None:
        self._own = own
        self._base_url = base_url
        self._external = external
        self._parsed: dict[str, OwnList] = {}
        self._slots: dict[tuple[str, str, str], _Slot] = {}

    def within(self, own: ListSource) -> StatusChecker:
        """The same checker reading our own lists from ``own`` (a transaction's view)."""
        return StatusChecker(own, base_url=self._base_url, external=self._external)

    def _own_list(self, url: str) -> OwnList:
        ref = self._parsed.get(url)
        if ref is None:
            ref = parse_own(url, self._base_url)
            if ref is None:
                raise StatusListVerificationError("the status list is not one the issuer publishes")
            if len(self._parsed) < _MAX_REMEMBERED:
                self._parsed[url] = ref
        return ref

    def check_credential_status(self, entries: object, *, issuer: IssuerEntry, now: int) -> str:
        """Check a vc+jwt's ``credentialStatus`` (one entry or a list of them).

        This runs in every verification, so it is written for speed: one pass, and an
        entry of our own lists, once checked for form, is remembered as (list, index,
        state that fails it), so the next credential with that entry costs dict lookups.

        :returns: the reason the check passed.
        :raises RevokedError, SuspendedError: as the lists say.
        :raises StatusUnknownError: when the status cannot be established.
        """
        items = entries if type(entries) is list else [entries]
        if not items:
            raise StatusUnknownError("credentialStatus holds no entry")
        purposes = 0
        for entry in items:
            if type(entry) is not dict and not isinstance(entry, Mapping):
                raise StatusUnknownError("a credentialStatus entry is not an object")
            if entry.get("type") != ENTRY_TYPE:
                raise StatusUnknownError("a credentialStatus entry of a type not supported here")
            if "statusSize" in entry and entry["statusSize"] != 1:
                raise StatusUnknownError("status entries wider than one bit are not supported")
            purpose = entry.get("statusPurpose")
            url = entry.get("statusListCredential")
            position = entry.get("statusListIndex")
            if issuer.external:
                index = _entry_index(purpose, url, position)
                assert isinstance(url, str) and isinstance(purpose, str)
                lists = self._external_lists()
                bits = lists.bitstring(url, purpose=purpose, issuer=issuer, now=now)
                failing = bit_at(bits, index) == 1
            elif type(url) is str and type(position) is str and type(purpose) is str:
                key = (url, position, purpose)
                slot = self._slots.get(key)
                if slot is None:
                    slot = self._own_slot(purpose, url, position)
                    if len(self._slots) >= _MAX_REMEMBERED:
                        self._slots.clear()
                    self._slots[key] = slot
                slug, list_id, index, fails_when = slot
                if slug != issuer.slug:
                    raise StatusListVerificationError("the status list belongs to another issuer")
                failing = self._own_value(list_id, index, slug) == fails_when
            else:
                raise _entry_error(purpose, url, position)
            if failing:
                if purpose == REVOCATION:
                    raise RevokedError("the issuer has revoked this credential")
                raise SuspendedError("the issuer has suspended this credential")
            purposes |= 1 if purpose == REVOCATION else 2
        return _REASONS[purposes]

    def _own_slot(self, purpose: object, url: object, position: object) -> _Slot:
        """An entry of our own lists, checked for form: (issuer slug, list, index, value that
        fails it)."""
        index = _entry_index(purpose, url, position)
        assert isinstance(url, str)
        ref = self._own_list(url)
        if ref.kind != purpose:
            raise StatusListVerificationError("the entry's list is for another purpose")
        fails_when = _INVALID if purpose == REVOCATION else _SUSPENDED
        return ref.issuer_slug, ref.list_id, index, fails_when

    def _own_value(self, list_id: int, index: int, slug: str) -> int:
        state = self._own.get(list_id)
        if state is None or state.issuer_slug != slug:
            raise StatusListVerificationError("no such status list")
        if index >= state.size:
            raise StatusListLengthError("the status index is beyond the end of the list")
        return state.states.get(index, _VALID)

    def check_token_status(self, status: object, *, issuer: IssuerEntry, now: int) -> str:
        """Check an SD-JWT VC's ``status`` claim (``status_list {idx, uri}``).

        :returns: the reason the check passed.
        :raises RevokedError, SuspendedError, StatusUnknownError: as for
            :meth:`check_credential_status`.
        """
        reference = status.get("status_list") if isinstance(status, Mapping) else None
        if not isinstance(reference, Mapping):
            raise StatusUnknownError("the status claim holds no status_list reference")
        uri = reference.get("uri")
        idx = reference.get("idx")
        if not isinstance(uri, str) or not isinstance(idx, int) or isinstance(idx, bool):
            raise StatusListVerificationError("status_list needs an integer idx and a uri")
        index = _index_of(idx)
        if not issuer.external:
            ref = self._own_list(uri)
            if ref.issuer_slug != issuer.slug or ref.kind != TOKEN:
                raise StatusListVerificationError("the status list is another issuer's or use's")
            value = self._own_value(ref.list_id, index, issuer.slug)
        else:
            packed, bits = self._external_lists().token(uri, issuer=issuer, now=now)
            value = value_at(packed, index, bits)
        if value == _VALID:
            return "valid in the issuer's status list"
        if value == _INVALID:
            raise RevokedError("the issuer has revoked this credential")
        if value == _SUSPENDED:
            raise SuspendedError("the issuer has suspended this credential")
        raise StatusUnknownError(f"status value {value:#04x} is application-specific")

    def _external_lists(self) -> ExternalLists:
        if self._external is None:
            raise StatusRetrievalError("this service fetches no external status lists")
        return self._external
