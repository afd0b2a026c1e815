"""Publishing our status lists, signed with the issuer's current key.

Each list is served in three forms (URLs in :mod:`wallet.status_refs`):

- ``…/revocation`` and ``…/suspension``: a ``BitstringStatusListCredential`` secured as
  vc+jwt (W3C Bitstring Status List v1.0 §2.2): GZIP, multibase base64url with ``u``,
  index 0 the left-most bit, ``ttl`` in milliseconds, ``validFrom``/``validUntil``;
- ``…/token``: a Status List Token (typ ``statuslist+jwt``, draft-ietf-oauth-status-list
  §5): 2 bits per entry (0 valid, 1 invalid, 2 suspended), ZLIB, least-significant bits
  first, ``sub`` the token's URL, ``iat``, ``exp``, ``ttl`` in seconds.

The states come from :class:`~wallet.status_lists.OwnStatusLists`, so a change shows
within its re-read interval. A signed form is kept per (list, version, form, key) and
re-signed when a quarter of its validity has passed, so serving a list is a dict lookup
plus one query for the issuer's current key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlmodel import Session

from wallet.errors import NotFoundError
from wallet.jose import signer
from wallet.keystore import Keystore
from wallet.status import encode_list, encode_lst, pack_bits, pack_values
from wallet.status_lists import ListState, OwnStatusLists
from wallet.status_refs import PURPOSES, REVOCATION, TOKEN, list_url
from wallet.trust import Registry
from wallet.vc import CREDENTIALS_V2, VERIFIABLE_CREDENTIAL, format_datetime_stamp, vc_jwt_signer

STATUS_LIST_JWT = "statuslist+jwt"
MEDIA_TYPES = {
    "revocation": "application/vc+jwt",
    "suspension": "application/vc+jwt",
    TOKEN: "application/statuslist+jwt",
}
_REVOKED, _SUSPENDED = 1, 2


class Published(NamedTuple):
    """One signed form of a list, ready to serve."""

    token: str
    media_type: str
    #: Seconds others may cache it (``Cache-Control: max-age``).
    max_age: int
    signed_at: int


class StatusPublisher:
    """Builds and keeps the signed forms of our lists.

    :param ttl: seconds others may cache a list (``ttl`` member and Cache-Control).
    :param validity: seconds a signed list stays valid (``validUntil`` / ``exp``).
    """

    def __init__(
        self,
        lists: OwnStatusLists,
        *,
        keystore: Keystore,
        registry: Registry,
        session: Callable[[], Session],
        base_url: str,
        ttl: int,
        validity: int,
    ) -> None:
        self._lists = lists
        self._keystore = keystore
        self._registry = registry
        self._session = session
        self._base_url = base_url
        self._ttl = ttl
        self._validity = validity
        self._signed: dict[tuple[int, str], tuple[int, str, Published]] = {}

    def publish(self, issuer_slug: str, list_id: int, kind: str, *, now: int) -> Published:
        """The signed form ``kind`` (a purpose or ``token``) of the issuer's list.

        :raises NotFoundError: when the issuer has no such list or form, or no current key.
        """
        if kind not in MEDIA_TYPES:
            raise NotFoundError("no such status list")
        state = self._lists.get(list_id)
        if state is None or state.issuer_slug != issuer_slug:
            raise NotFoundError("no such status list")
        issuer = self._registry.by_slug(issuer_slug)
        with self._session() as session:
            kid, key = self._keystore.signing_key(session, issuer_slug=issuer_slug)
        cached = self._signed.get((list_id, kind))
        if cached is not None:
            version, cached_kid, published = cached
            fresh = now - published.signed_at < self._validity // 4
            if version == state.version and cached_kid == kid and fresh:
                return published
        url = list_url(self._base_url, issuer_slug, list_id, kind)
        if kind == TOKEN:
            claims = _token_claims(state, url, issuer.https_id, now, self._ttl, self._validity)
            token = signer({"typ": STATUS_LIST_JWT, "kid": kid}, key).sign(claims)
        else:
            credential = _list_credential(
                state, url, kind, issuer.did, now, self._ttl, self._validity
            )
            token = vc_jwt_signer(kid=kid, key=key).sign({**credential, "iat": now})
        published = Published(token, MEDIA_TYPES[kind], self._ttl, now)
        self._signed[(list_id, kind)] = (state.version, kid, published)
        return published


def _list_credential(
    state: ListState, url: str, purpose: str, issuer_did: str, now: int, ttl: int, validity: int
) -> dict[str, Any]:
    wanted = _REVOKED if purpose == REVOCATION else _SUSPENDED
    bits = pack_bits(
        (index for index, value in state.states.items() if value == wanted), size=state.size
    )
    assert purpose in PURPOSES
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": [VERIFIABLE_CREDENTIAL, "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": format_datetime_stamp(now),
        "validUntil": format_datetime_stamp(now + validity),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(bits),
            "ttl": ttl * 1000,
        },
    }


def _token_claims(
    state: ListState, url: str, iss: str, now: int, ttl: int, validity: int
) -> dict[str, Any]:
    packed = pack_values(state.states, size=state.size, bits=2)
    return {
        "sub": url,
        "iss": iss,
        "iat": now,
        "exp": now + validity,
        "ttl": ttl,
        "status_list": {"bits": 2, "lst": encode_lst(packed)},
    }
