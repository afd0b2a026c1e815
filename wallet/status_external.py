"""Status lists of external issuers: fetched, verified and decoded once, then cached.

Credentials of institutions that sign here get their status from the database; those of
external institutions (registry entries with ``"external": true``) name a list on the
institution's own server. :class:`ExternalStatusLists` fetches such a list (through a
:class:`StatusFetcher`, normally :class:`wallet.status_fetch.StatusListFetcher`), verifies
it, decodes it once and keeps the decoded bytes, so every later check is one byte access,
whatever the list's length (131,072 entries or ten million).

**Verification** (anything failing is a :class:`~wallet.errors.StatusListVerificationError`,
reported as status "unknown", DESIGN §4): a strict compact JWS (``wallet.jose``) with the
expected ``typ`` (``vc+jwt``, VC-JOSE-COSE §3.1.1; ``statuslist+jwt``,
draft-ietf-oauth-status-list §5.1) and a ``kid``; signed by a key that the *credential's*
issuer publishes in the registry (looked up by the issuer's slug, so a key of another
registered institution is unknown) and that was usable at the list's ``iat``; the list
names the same issuer (W3C ``issuer`` = the issuer's DID; IETF ``iss``, when present, = its
HTTPS identifier) and itself (W3C credential ``id`` = the URL; IETF ``sub`` = the URI,
§5.1); not expired (``validUntil``/``exp`` ≤ now) nor not yet valid. W3C lists must also be
a ``BitstringStatusListCredential`` whose subject is a ``BitstringStatusList`` of the
entry's ``statusPurpose``, with at least 131,072 entries
(:class:`~wallet.errors.StatusListLengthError` otherwise): Bitstring Status List v1.0 §3.2
"Validate Algorithm".

**Freshness.** A verified list is used until the first of: its ``ttl`` (W3C in
milliseconds, §2.2; IETF in seconds, §5.1; ``default_ttl`` seconds when absent) counted
from the start of the fetch, and its own expiry (``validUntil``/``exp``). After that the
next check fetches it again. A revocation by the issuer therefore shows here after at most
one ttl (security.md D8).

**Failures** are remembered for ``failure_backoff`` seconds (5 s by default): during that
time a check of the same list fails at once with the same error and no fetch, so an
unreachable server costs one timeout per list every few seconds, not one per
verification. The cache holds at most ``max_lists`` lists (oldest dropped first), so
credentials naming many distinct URLs cannot grow it without bound.

**Threads.** Cache entries are immutable and replaced whole, so a reader sees the old
entry or the new one, never a mix. Loads of one list are serialised by a lock (one of a
few, chosen by the list's key), so when a list goes stale in a threaded server one thread
fetches and decodes it while the others wait for its result instead of fetching too.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from wallet.errors import (
    AlgorithmError,
    DataModelError,
    HeaderError,
    InputError,
    InvalidSignatureError,
    KeyValidityError,
    StatusListVerificationError,
    StatusUnknownError,
    UnknownKeyError,
)
from wallet.jose import VERIFYING_ALGORITHMS, check_header, parse_compact, verify_signature
from wallet.status import decode_list, decode_lst
from wallet.trust import IssuerEntry, KeyHistory
from wallet.vc import issuer_id, types_of, validity_window

#: ``typ`` and media type of a W3C status list credential secured as a JWT (VC-JOSE-COSE §3.1.1).
VC_JWT_TYP = "vc+jwt"
VC_JWT_MEDIA_TYPE = "application/vc+jwt"
#: ``typ`` and media type of a Status List Token (draft-ietf-oauth-status-list §5.1, §14).
STATUS_LIST_TYP = "statuslist+jwt"
STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE = "BitstringStatusList"
#: How long a failed load is remembered before the list is tried again.
FAILURE_BACKOFF_SECONDS = 5.0
#: Lists kept at most.
MAX_LISTS = 256
_BITS = frozenset({1, 2, 4, 8})
_LOCK_STRIPES = 16


class StatusFetcher(Protocol):
    """Where lists come from: :class:`wallet.status_fetch.StatusListFetcher` in the service."""

    def get(self, url: str, *, accept: str) -> bytes:
        """The body of a successful ``GET url`` of media type ``accept``.

        :raises StatusRetrievalError: when there is none.
        """


@dataclass(frozen=True)
class _Loaded:
    """A verified, decoded list and how long it may be used."""

    packed: bytes
    bits: int
    fresh_until: float
    expires_at: int | None


@dataclass(frozen=True)
class _Failed:
    """A failed load, re-raised as the same error until ``retry_at``."""

    error: type[StatusUnknownError]
    description: str
    retry_at: float


_CacheKey = tuple[str, str, str, str]


def _fail(description: str) -> StatusListVerificationError:
    return StatusListVerificationError(description)


def _int_claim(payload: Mapping[str, Any], name: str) -> int | None:
    """An optional NumericDate claim (RFC 7519 §2), whole seconds only."""
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(f"the status list's {name} is not an integer (NumericDate)")
    return value


def _seconds(value: object, *, scale: float, what: str) -> float | None:
    """A non-negative finite number times ``scale`` (None when absent)."""
    if value is None:
        return None
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise _fail(f"the status list's {what} is not a non-negative number")
    return float(value) * scale


class ExternalStatusLists:
    """Verified, decoded status lists of external issuers, cached per process.

    The constructor does no I/O.

    :param fetcher: GETs a list; it raises ``StatusRetrievalError`` when it cannot.
    :param key_history: the keys external issuers publish in the registry.
    :param clock: seconds (monotonic or wall), for freshness and back-off.
    :param max_list_bytes: the largest decoded list, enforced while decompressing.
    :param default_ttl: seconds a list is used when it carries no ``ttl``.
    :param failure_backoff: seconds a failed load is remembered.
    :param max_lists: lists kept at most.
    """

    def __init__(
        self,
        fetcher: StatusFetcher,
        key_history: KeyHistory,
        *,
        clock: Callable[[], float],
        max_list_bytes: int = 4 * 1024 * 1024,
        default_ttl: float = 300.0,
        failure_backoff: float = FAILURE_BACKOFF_SECONDS,
        max_lists: int = MAX_LISTS,
    ) -> None:
        if max_lists < 1:
            raise InputError("max_lists must be at least 1")
        self._fetcher = fetcher
        self._keys = key_history
        self._clock = clock
        self._max_list_bytes = max_list_bytes
        self._default_ttl = default_ttl
        self._failure_backoff = failure_backoff
        self._max_lists = max_lists
        self._cache: dict[_CacheKey, _Loaded | _Failed] = {}
        self._write_lock = threading.Lock()
        self._load_locks = tuple(threading.Lock() for _ in range(_LOCK_STRIPES))

    def bitstring(self, url: str, *, purpose: str, issuer: IssuerEntry, now: int) -> bytes:
        """The decoded bitstring of the W3C list at ``url`` (read bits with ``bit_at``).

        :param purpose: the entry's ``statusPurpose``, which the list must state.
        :param issuer: the credential's issuer, who must have signed the list.
        :param now: Unix time, for the list's expiry.
        :raises StatusRetrievalError: the list cannot be fetched, or decompresses beyond
            ``max_list_bytes``.
        :raises StatusListVerificationError: see the module docstring.
        :raises StatusListLengthError: fewer than 131,072 entries.
        """
        key = ("bitstring", url, issuer.slug, purpose)
        loaded = self._get(key, now, lambda: self._load_bitstring(url, purpose, issuer, now))
        return loaded.packed

    def token(self, uri: str, *, issuer: IssuerEntry, now: int) -> tuple[bytes, int]:
        """The packed values and the bits per entry of the Status List Token at ``uri``.

        Read a value with ``value_at(packed, index, bits)``.

        :raises StatusRetrievalError, StatusListVerificationError: as for :meth:`bitstring`.
        """
        key = ("token", uri, issuer.slug, "")
        loaded = self._get(key, now, lambda: self._load_token(uri, issuer, now))
        return loaded.packed, loaded.bits

    # --- the cache --------------------------------------------------------------------------

    def _usable(self, entry: _Loaded | _Failed | None, now: int) -> _Loaded | None:
        """``entry`` when it is a list still fresh; raises again a failure still backed off."""
        if isinstance(entry, _Loaded):
            if self._clock() < entry.fresh_until and (
                entry.expires_at is None or now < entry.expires_at
            ):
                return entry
        elif isinstance(entry, _Failed) and self._clock() < entry.retry_at:
            raise entry.error(entry.description)
        return None

    def _get(self, key: _CacheKey, now: int, load: Callable[[], _Loaded]) -> _Loaded:
        found = self._usable(self._cache.get(key), now)
        if found is not None:
            return found
        with self._load_locks[hash(key) % _LOCK_STRIPES]:
            # Another thread may have loaded the list while this one waited for the lock.
            found = self._usable(self._cache.get(key), now)
            if found is not None:
                return found
            try:
                loaded = load()
            except StatusUnknownError as exc:
                retry_at = self._clock() + self._failure_backoff
                self._store(key, _Failed(type(exc), exc.description, retry_at))
                raise
            self._store(key, loaded)
            return loaded

    def _store(self, key: _CacheKey, entry: _Loaded | _Failed) -> None:
        with self._write_lock:
            self._cache.pop(key, None)
            while len(self._cache) >= self._max_lists:
                del self._cache[next(iter(self._cache))]
            self._cache[key] = entry

    def _fresh_until(
        self, started: float, ttl: float | None, expires_at: int | None, now: int
    ) -> float:
        fresh_until = started + (self._default_ttl if ttl is None else ttl)
        if expires_at is not None:
            fresh_until = min(fresh_until, started + (expires_at - now))
        return fresh_until

    # --- verification -----------------------------------------------------------------------

    def _verified_payload(
        self, url: str, *, media_type: str, typ: str, issuer: IssuerEntry, now: int
    ) -> tuple[Mapping[str, Any], int | None]:
        """Fetch the list, check its JWS, key, signature and time claims.

        :returns: the payload and its ``exp`` (or None).
        """
        body = self._fetcher.get(url, accept=media_type)
        try:
            text = body.decode("ascii").strip()
            parsed = parse_compact(text)
        except (UnicodeDecodeError, InputError) as exc:
            raise _fail("the status list is not a compact JWS") from exc
        try:
            check_header(parsed.header, typ={typ}, algorithms=VERIFYING_ALGORITHMS)
        except (AlgorithmError, HeaderError) as exc:
            raise _fail(f"the status list's header is refused: {exc.description}") from exc
        payload = parsed.payload
        iat = _int_claim(payload, "iat")
        if iat is None:
            raise _fail("the status list has no iat (its signing time picks the key)")
        try:
            key = self._keys.lookup(issuer.slug, parsed.header["kid"])
            key.check_usable_at(iat)
            verify_signature(parsed, key.jwk)
        except (UnknownKeyError, KeyValidityError, AlgorithmError, InvalidSignatureError) as exc:
            raise _fail(
                f"the status list is not signed by the credential's issuer: {exc.description}"
            ) from exc
        exp = _int_claim(payload, "exp")
        if exp is not None and exp <= now:
            raise _fail("the status list has expired")
        nbf = _int_claim(payload, "nbf")
        if nbf is not None and nbf > now:
            raise _fail("the status list is not valid yet")
        return payload, exp

    def _load_bitstring(self, url: str, purpose: str, issuer: IssuerEntry, now: int) -> _Loaded:
        """Bitstring Status List v1.0 §3.2 ("Validate Algorithm") for a ``vc+jwt`` list."""
        started = self._clock()
        payload, exp = self._verified_payload(
            url, media_type=VC_JWT_MEDIA_TYPE, typ=VC_JWT_TYP, issuer=issuer, now=now
        )
        try:
            if LIST_CREDENTIAL_TYPE not in types_of(payload):
                raise _fail(f"the status list is not a {LIST_CREDENTIAL_TYPE}")
            if not issuer.did or issuer_id(payload) != issuer.did:
                raise _fail("the status list names another issuer than the credential")
            window = validity_window(payload)
        except DataModelError as exc:
            raise _fail(f"the status list credential is malformed: {exc.description}") from exc
        if payload.get("id") != url:
            raise _fail("the status list credential's id is not the URL it was fetched from")
        if window.valid_from is not None and now < window.valid_from:
            raise _fail("the status list is not valid yet")
        expires_at = min((t for t in (window.valid_until, exp) if t is not None), default=None)
        if expires_at is not None and expires_at <= now:
            raise _fail("the status list has expired")
        subject = payload.get("credentialSubject")
        if not isinstance(subject, Mapping):
            raise _fail("the status list's credentialSubject is not one object")
        try:
            subject_types = types_of(subject)
        except DataModelError as exc:
            raise _fail("the status list's subject has no type") from exc
        if LIST_SUBJECT_TYPE not in subject_types:
            raise _fail(f"the status list's subject is not a {LIST_SUBJECT_TYPE}")
        purposes = subject.get("statusPurpose")
        if purposes != purpose and not (isinstance(purposes, list) and purpose in purposes):
            raise _fail(f"the status list is not a {purpose} list")
        ttl = _seconds(subject.get("ttl"), scale=0.001, what="ttl (milliseconds)")
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            raise _fail("the status list has no encodedList")
        bits = decode_list(encoded, max_bytes=self._max_list_bytes)
        return _Loaded(
            packed=bits,
            bits=1,
            fresh_until=self._fresh_until(started, ttl, expires_at, now),
            expires_at=expires_at,
        )

    def _load_token(self, uri: str, issuer: IssuerEntry, now: int) -> _Loaded:
        """draft-ietf-oauth-status-list §8.3 "Validation Rules" for a Status List Token."""
        started = self._clock()
        payload, exp = self._verified_payload(
            uri, media_type=STATUS_LIST_MEDIA_TYPE, typ=STATUS_LIST_TYP, issuer=issuer, now=now
        )
        if payload.get("sub") != uri:
            raise _fail("the status list token's sub is not the URI it was fetched from")
        if "iss" in payload and (not issuer.https_id or payload["iss"] != issuer.https_id):
            raise _fail("the status list token names another issuer than the credential")
        status_list = payload.get("status_list")
        if not isinstance(status_list, Mapping):
            raise _fail("the status list token has no status_list object")
        bits = status_list.get("bits")
        if not isinstance(bits, int) or isinstance(bits, bool) or bits not in _BITS:
            raise _fail("the status list's bits is not 1, 2, 4 or 8")
        ttl = _seconds(payload.get("ttl"), scale=1.0, what="ttl (seconds)")
        lst = status_list.get("lst")
        if not isinstance(lst, str):
            raise _fail("the status list token has no lst")
        packed = decode_lst(lst, max_bytes=self._max_list_bytes)
        return _Loaded(
            packed=packed,
            bits=bits,
            fresh_until=self._fresh_until(started, ttl, exp, now),
            expires_at=exp,
        )
