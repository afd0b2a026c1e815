"""wallet.status_fetch and wallet.status_external: external status lists over real HTTP.

A real server on 127.0.0.1 serves lists built here with the codecs of wallet.status and
signed with real keys that external registry entries publish. Every cause of an "unknown"
status has its own test (security.md §2 D2–D8, E2–E3); each raises a
:class:`~wallet.errors.StatusUnknownError` subclass, which the verifier reports as
"unknown", never "valid".
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import NOW
from tests.fixtures.http_server import Route, RouteServer, closed_port, running
from wallet import status_external
from wallet.errors import (
    StatusListLengthError,
    StatusListVerificationError,
    StatusRetrievalError,
    StatusUnknownError,
)
from wallet.jose import SigningKey, b64url_encode, generate_signing_key, sign_compact
from wallet.status import (
    INVALID,
    MIN_ENTRIES,
    SUSPENDED,
    VALID,
    bit_at,
    encode_list,
    encode_lst,
    pack_bits,
    pack_values,
    value_at,
)
from wallet.status_external import ExternalStatusLists
from wallet.status_fetch import StatusListFetcher
from wallet.trust import IssuerEntry, KeyHistory, load_registry
from wallet.vc import format_datetime_stamp

PARTNER_DID = "did:web:partner.example"
PARTNER_ISS = "https://partner.example"
PARTNER_KID = f"{PARTNER_DID}#k1"
OTHER_DID = "did:web:other.example"
OTHER_KID = f"{OTHER_DID}#k1"
VC_JWT = "application/vc+jwt"
STATUSLIST_JWT = "application/statuslist+jwt"
LAST = MIN_ENTRIES - 1
#: Bits 0, 7, 8 and the last one set: both ends of a byte, the next byte, the list's end.
SET = (0, 7, 8, LAST)
BITS = pack_bits(SET, size=MIN_ENTRIES)
VALUES = {0: INVALID, 7: SUSPENDED, 8: INVALID, LAST: SUSPENDED}
PACKED = pack_values(VALUES, size=MIN_ENTRIES, bits=2)
FIFTY_MB = 50 * 1024 * 1024


def _entry(slug: str, did: str, iss: str, kid: str, key: SigningKey) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"lv": f"Ārējā iestāde {slug}", "en": f"External institution {slug}"},
        "types": ["generic"],
        "accreditation": [
            {"types": ["generic"], "validFrom": "2020-01-01", "validUntil": None, "decision": "t"}
        ],
        "external": True,
        "did": did,
        "iss": iss,
        "keys": [{"kid": kid, "jwk": dict(key.public.members), "validFrom": "2021-01-01"}],
    }


@dataclass
class Env:
    """Two registered external issuers, a stranger's key, a server, and an injected clock."""

    server: RouteServer
    partner: IssuerEntry
    other: IssuerEntry
    keys: dict[str, SigningKey]
    history: KeyHistory
    clock: list[float] = field(default_factory=lambda: [1000.0])

    def url(self, path: str) -> str:
        return self.server.url(path)

    def fetcher(self, **changes: Any) -> StatusListFetcher:
        options: dict[str, Any] = {"allowed_hosts": ["127.0.0.1"], "timeout_seconds": 2.0}
        options.update(changes)
        return StatusListFetcher(options.pop("allowed_hosts"), **options)

    def lists(self, fetcher: Any = None, **changes: Any) -> ExternalStatusLists:
        return ExternalStatusLists(
            fetcher or self.fetcher(), self.history, clock=lambda: self.clock[0], **changes
        )

    def serve(self, path: str, token: str, media_type: str = VC_JWT, **route: Any) -> str:
        self.server.routes[path] = Route(
            body=token.encode("ascii"), content_type=media_type, **route
        )
        return self.url(path)


@pytest.fixture
def env(tmp_path: Path, engine: Engine) -> Iterator[Env]:
    keys = {name: generate_signing_key(alg) for name, alg in
            (("partner", "EdDSA"), ("other", "ES256"), ("stranger", "EdDSA"))}  # fmt: skip
    folder = tmp_path / "external-issuers"
    for slug, did, iss, kid in (
        ("partner", PARTNER_DID, PARTNER_ISS, PARTNER_KID),
        ("other", OTHER_DID, "https://other.example", OTHER_KID),
    ):
        (folder / slug).mkdir(parents=True)
        entry = _entry(slug, did, iss, kid, keys[slug])
        (folder / slug / "issuer.json").write_text(json.dumps(entry), encoding="utf-8")
    registry = load_registry(folder, base_url="https://wallet.test", demo=False)
    history = KeyHistory(engine, registry, ttl=3600, clock=time.monotonic)
    with running() as server:
        yield Env(
            server=server,
            partner=registry.by_slug("partner"),
            other=registry.by_slug("other"),
            keys=keys,
            history=history,
        )


# --- list builders --------------------------------------------------------------------------


def w3c_payload(url: str, *, bits: bytes = BITS, **changes: Any) -> dict[str, Any]:
    """A BitstringStatusListCredential for ``url``; ``changes`` set (or, as None, drop) members;
    ``subject`` changes the credentialSubject the same way."""
    payload: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": PARTNER_DID,
        "validFrom": format_datetime_stamp(NOW - 3600),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(bits),
        },
        "iat": NOW - 3600,
    }
    for name, value in changes.pop("subject", {}).items():
        payload["credentialSubject"][name] = value
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def token_payload(uri: str, *, packed: bytes = PACKED, bits: int = 2, **changes: Any) -> dict:
    payload: dict[str, Any] = {
        "sub": uri,
        "iss": PARTNER_ISS,
        "iat": NOW - 3600,
        "exp": NOW + 86400,
        "status_list": {"bits": bits, "lst": encode_lst(packed)},
    }
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def sign(env: Env, payload: dict, *, typ: str = "vc+jwt", signer: str = "partner",
         kid: str = PARTNER_KID) -> str:  # fmt: skip
    return sign_compact({"typ": typ, "kid": kid}, payload, env.keys[signer])


def serve_w3c(env: Env, path: str = "/list", **changes: Any) -> str:
    url = env.url(path)
    return env.serve(path, sign(env, w3c_payload(url, **changes)))


def serve_token(env: Env, path: str = "/token", **changes: Any) -> str:
    uri = env.url(path)
    token = sign(env, token_payload(uri, **changes), typ="statuslist+jwt")
    return env.serve(path, token, STATUSLIST_JWT)


def revocation(env: Env, lists: ExternalStatusLists, url: str, now: int = NOW) -> bytes:
    return lists.bitstring(url, purpose="revocation", issuer=env.partner, now=now)


# --- valid lists ----------------------------------------------------------------------------


def test_valid_bitstring_list_reads_bits_0_7_8_and_last(env: Env) -> None:
    bits = revocation(env, env.lists(), serve_w3c(env))
    assert [bit_at(bits, i) for i in SET] == [1, 1, 1, 1]
    assert [bit_at(bits, i) for i in (1, 6, 9, 15, LAST - 1)] == [0, 0, 0, 0, 0]
    assert env.server.requests[0].headers["Accept"] == VC_JWT


def test_valid_token_list_reads_values_0_7_8_and_last(env: Env) -> None:
    packed, bits = env.lists().token(serve_token(env), issuer=env.partner, now=NOW)
    assert bits == 2
    assert [value_at(packed, i, bits) for i in SET] == [INVALID, SUSPENDED, INVALID, SUSPENDED]
    assert [value_at(packed, i, bits) for i in (1, 6, 9, LAST - 1)] == [VALID] * 4
    assert env.server.requests[0].headers["Accept"] == STATUSLIST_JWT


def test_token_without_iss_is_bound_by_the_key_alone(env: Env) -> None:
    packed, bits = env.lists().token(serve_token(env, iss=None), issuer=env.partner, now=NOW)
    assert value_at(packed, 0, bits) == INVALID


def test_suspension_list_and_issuer_object(env: Env) -> None:
    url = serve_w3c(env, issuer={"id": PARTNER_DID, "name": "Partner"},
                    subject={"statusPurpose": "suspension"})  # fmt: skip
    bits = env.lists().bitstring(url, purpose="suspension", issuer=env.partner, now=NOW)
    assert bit_at(bits, 7) == 1


# --- one named test per cause of "unknown" -------------------------------------------------


def test_unreachable_server_is_unknown(env: Env) -> None:
    url = f"http://127.0.0.1:{closed_port()}/list"
    with pytest.raises(StatusRetrievalError, match="did not answer \\(unreachable\\)"):
        revocation(env, env.lists(), url)


def test_host_not_on_the_allow_list_is_refused_without_a_request(env: Env) -> None:
    # "localhost" reaches the very same server, so a missing check would show as a request.
    url = env.server.url("/list", host="localhost")
    serve_w3c(env)
    with pytest.raises(StatusRetrievalError, match="not on the allow-list"):
        revocation(env, env.lists(), url)
    assert env.server.count() == 0


def test_plain_http_to_a_remote_allowed_host_is_refused_without_a_request(env: Env) -> None:
    lists = env.lists(env.fetcher(allowed_hosts=["partner.example"]))
    with pytest.raises(StatusRetrievalError, match="must use https"):
        revocation(env, lists, "http://partner.example/list")


def test_too_short_list_is_unknown(env: Env) -> None:
    url = serve_w3c(env, bits=pack_bits([0], size=MIN_ENTRIES - 8))
    with pytest.raises(StatusListLengthError, match="fewer than 131072"):
        revocation(env, env.lists(), url)


def test_list_signed_by_a_key_that_is_not_the_issuers_is_unknown(env: Env) -> None:
    # The issuer's kid, a stranger's signature.
    url = env.url("/list")
    env.serve("/list", sign(env, w3c_payload(url), signer="stranger"))
    with pytest.raises(StatusListVerificationError, match="not signed by the credential's issuer"):
        revocation(env, env.lists(), url)


def test_list_signed_by_another_registered_issuer_is_unknown(env: Env) -> None:
    # A list that is perfectly valid for "other", presented for a credential of "partner".
    url = env.url("/list")
    token = sign(env, w3c_payload(url, issuer=OTHER_DID), signer="other", kid=OTHER_KID)
    env.serve("/list", token)
    with pytest.raises(StatusListVerificationError, match="not signed by the credential's issuer"):
        revocation(env, env.lists(), url)
    # The same list verifies for its own issuer: the refusal is about the signer alone.
    bits = env.lists().bitstring(url, purpose="revocation", issuer=env.other, now=NOW)
    assert bit_at(bits, 0) == 1


def test_token_signed_by_another_registered_issuer_is_unknown(env: Env) -> None:
    uri = env.url("/token")
    payload = token_payload(uri, iss="https://other.example")
    env.serve("/token", sign(env, payload, typ="statuslist+jwt", signer="other", kid=OTHER_KID),
              STATUSLIST_JWT)  # fmt: skip
    with pytest.raises(StatusListVerificationError, match="not signed by the credential's issuer"):
        env.lists().token(uri, issuer=env.partner, now=NOW)


def test_expired_list_is_unknown(env: Env) -> None:
    url = serve_w3c(env, validUntil=format_datetime_stamp(NOW))
    with pytest.raises(StatusListVerificationError, match="the status list has expired"):
        revocation(env, env.lists(), url)


def test_expired_token_is_unknown(env: Env) -> None:
    uri = serve_token(env, exp=NOW - 1)
    with pytest.raises(StatusListVerificationError, match="the status list has expired"):
        env.lists().token(uri, issuer=env.partner, now=NOW)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """50 MB of zeros, which compress to about 50 KB."""
    return bytes(FIFTY_MB)


def test_decompression_bomb_is_unknown(env: Env, bomb: bytes) -> None:
    url = serve_w3c(env, bits=bomb)
    with pytest.raises(StatusRetrievalError, match="decompresses to more than 4194304 bytes"):
        revocation(env, env.lists(), url)


def test_token_decompression_bomb_is_unknown(env: Env, bomb: bytes) -> None:
    uri = serve_token(env, packed=bomb)
    with pytest.raises(StatusRetrievalError, match="decompresses to more than 4194304 bytes"):
        env.lists().token(uri, issuer=env.partner, now=NOW)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_body_over_the_cap_is_unknown(env: Env, declared: bool) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].declare_length = declared
    lists = env.lists(env.fetcher(max_response_bytes=256))
    with pytest.raises(StatusRetrievalError, match="exceeds 256 bytes"):
        revocation(env, lists, url)


@pytest.mark.parametrize(
    "target_host", ["localhost", "127.0.0.1"], ids=["other-host", "other-port"]
)
def test_redirect_to_another_origin_is_refused(env: Env, target_host: str) -> None:
    with running() as elsewhere:
        target = elsewhere.url("/list", host=target_host)
        elsewhere.routes["/list"] = Route(body=sign(env, w3c_payload(target)).encode())
        env.server.routes["/list"] = Route(status=302, headers={"Location": target})
        # Even with the other host allow-listed, a redirect may not leave the origin.
        lists = env.lists(env.fetcher(allowed_hosts=["127.0.0.1", "localhost"]))
        with pytest.raises(
            StatusRetrievalError, match="redirected to another scheme, host or port"
        ):
            revocation(env, lists, env.url("/list"))
        assert elsewhere.count() == 0


def test_timeout_is_unknown(env: Env) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].delay = 3.0
    started = time.monotonic()
    with pytest.raises(StatusRetrievalError, match="did not answer \\(timeout\\)"):
        revocation(env, env.lists(env.fetcher(timeout_seconds=0.5)), url)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("status", [404, 500, 304])
def test_non_200_answer_is_unknown(env: Env, status: int) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].status = status
    with pytest.raises(StatusRetrievalError, match=f"answered HTTP {status}"):
        revocation(env, env.lists(), url)


@pytest.mark.parametrize("media_type", ["application/json", "application/jwt", None])
def test_wrong_media_type_is_unknown(env: Env, media_type: str | None) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].content_type = media_type
    with pytest.raises(StatusRetrievalError, match="media type"):
        revocation(env, env.lists(), url)


# --- redirects that stay on the origin ----------------------------------------------------


def test_same_origin_redirect_is_followed(env: Env) -> None:
    url = env.url("/old")
    env.serve("/list", sign(env, w3c_payload(url)))
    env.server.routes["/old"] = Route(status=301, headers={"Location": "/list"})
    bits = revocation(env, env.lists(), url)
    assert bit_at(bits, LAST) == 1
    assert (env.server.count("/old"), env.server.count("/list")) == (1, 1)


@pytest.mark.parametrize(("hops", "followed"), [(3, True), (4, False)])
def test_at_most_three_redirects(env: Env, hops: int, followed: bool) -> None:
    url = env.url("/r0")
    for hop in range(hops):
        env.server.routes[f"/r{hop}"] = Route(status=307, headers={"Location": f"/r{hop + 1}"})
    env.serve(f"/r{hops}", sign(env, w3c_payload(url)))
    lists = env.lists()
    if followed:
        assert bit_at(revocation(env, lists, url), 0) == 1
    else:
        with pytest.raises(StatusRetrievalError, match="redirected more than 3 times"):
            revocation(env, lists, url)


# --- lists that fail verification ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"typ": "JWT"}, "header is refused"),
        ({"issuer": OTHER_DID}, "names another issuer"),
        ({"id": "https://partner.example/elsewhere"}, "id is not the URL"),
        ({"subject": {"statusPurpose": "suspension"}}, "not a revocation list"),
        ({"subject": {"type": "StatusList2021"}}, "not a BitstringStatusList"),
        ({"subject": {"encodedList": "H4sIAAAA"}}, "Multibase"),
        ({"subject": {"encodedList": None}}, "no encodedList"),
        ({"subject": {"ttl": -1}}, "ttl"),
        ({"type": ["VerifiableCredential"]}, "not a BitstringStatusListCredential"),
        ({"iat": None}, "no iat"),
        ({"iat": "1780000000"}, "iat is not an integer"),
        ({"iat": 1577836800}, "not signed by the credential's issuer"),  # before the key
        ({"validFrom": format_datetime_stamp(NOW + 60)}, "not valid yet"),
        ({"validFrom": "yesterday"}, "malformed"),
        ({"exp": NOW}, "has expired"),
        ({"nbf": NOW + 60}, "not valid yet"),
        ({"credentialSubject": [{"type": "BitstringStatusList"}]}, "not one object"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bitstring_list_fails_closed(env: Env, changes: dict, message: str) -> None:
    url = env.url("/list")
    typ = changes.pop("typ", "vc+jwt")
    subject = changes.pop("subject", {})
    payload = w3c_payload(url, **changes)
    for name, value in subject.items():
        if value is None:
            del payload["credentialSubject"][name]
        else:
            payload["credentialSubject"][name] = value
    env.serve("/list", sign(env, payload, typ=typ))
    with pytest.raises(StatusListVerificationError, match=message):
        revocation(env, env.lists(), url)


def _gzip_lst() -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b64url_encode(compressor.compress(PACKED) + compressor.flush())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"typ": "vc+jwt"}, "header is refused"),
        ({"sub": "https://partner.example/other-list"}, "sub is not the URI"),
        ({"iss": "https://other.example"}, "names another issuer"),
        ({"status_list": {"bits": 3, "lst": encode_lst(PACKED)}}, "bits is not 1, 2, 4 or 8"),
        ({"status_list": {"bits": True, "lst": encode_lst(PACKED)}}, "bits is not 1, 2, 4 or 8"),
        ({"status_list": {"bits": 2, "lst": _gzip_lst()}}, "not a valid compressed stream"),
        ({"status_list": {"bits": 2}}, "no lst"),
        ({"status_list": None}, "no status_list"),
        ({"ttl": "300"}, "ttl"),
        ({"exp": 1.5e9}, "exp is not an integer"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_token_list_fails_closed(env: Env, changes: dict, message: str) -> None:
    uri = env.url("/token")
    typ = changes.pop("typ", "statuslist+jwt")
    env.serve("/token", sign(env, token_payload(uri, **changes), typ=typ), STATUSLIST_JWT)
    with pytest.raises(StatusListVerificationError, match=message):
        env.lists().token(uri, issuer=env.partner, now=NOW)


def test_body_that_is_not_a_jws_is_unknown(env: Env) -> None:
    url = env.serve("/list", "not a token at all")
    with pytest.raises(StatusListVerificationError, match="not a compact JWS"):
        revocation(env, env.lists(), url)


def test_every_cause_is_reported_as_unknown() -> None:
    for error in (StatusRetrievalError, StatusListVerificationError, StatusListLengthError):
        assert issubclass(error, StatusUnknownError)


# --- the cache ----------------------------------------------------------------------------


def test_cache_honours_the_w3c_ttl_in_milliseconds(env: Env) -> None:
    url = serve_w3c(env, subject={"ttl": 60_000})
    lists = env.lists()
    first = revocation(env, lists, url)
    env.clock[0] += 59
    assert revocation(env, lists, url) is first
    assert env.server.count("/list") == 1
    env.clock[0] += 2
    revocation(env, lists, url)
    assert env.server.count("/list") == 2


def test_cache_honours_the_token_ttl_in_seconds(env: Env) -> None:
    uri = serve_token(env, ttl=60)
    lists = env.lists()
    lists.token(uri, issuer=env.partner, now=NOW)
    env.clock[0] += 59
    lists.token(uri, issuer=env.partner, now=NOW)
    assert env.server.count("/token") == 1
    env.clock[0] += 2
    lists.token(uri, issuer=env.partner, now=NOW)
    assert env.server.count("/token") == 2


def test_default_ttl_applies_without_a_ttl(env: Env) -> None:
    url = serve_w3c(env)
    lists = env.lists(default_ttl=300.0)
    revocation(env, lists, url)
    env.clock[0] += 299
    revocation(env, lists, url)
    assert env.server.count("/list") == 1
    env.clock[0] += 2
    revocation(env, lists, url)
    assert env.server.count("/list") == 2


def test_revocation_shows_after_the_ttl(env: Env) -> None:
    url = serve_w3c(env, bits=pack_bits([], size=MIN_ENTRIES), subject={"ttl": 60_000})
    lists = env.lists()
    assert bit_at(revocation(env, lists, url), 42) == 0
    serve_w3c(env, bits=pack_bits([42], size=MIN_ENTRIES), subject={"ttl": 60_000})
    env.clock[0] += 30
    assert bit_at(revocation(env, lists, url), 42) == 0  # cached, as the issuer's ttl allows
    env.clock[0] += 31
    assert bit_at(revocation(env, lists, url), 42) == 1


def test_expiry_ends_freshness_before_the_ttl(env: Env) -> None:
    url = serve_w3c(env, validUntil=format_datetime_stamp(NOW + 10), subject={"ttl": 3_600_000})
    lists = env.lists()
    revocation(env, lists, url, now=NOW)
    env.clock[0] += 5
    revocation(env, lists, url, now=NOW + 5)
    assert env.server.count("/list") == 1
    env.clock[0] += 6
    with pytest.raises(StatusListVerificationError, match="has expired"):
        revocation(env, lists, url, now=NOW + 11)
    assert env.server.count("/list") == 2


def test_failure_is_retried_only_after_the_backoff(env: Env) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].status = 503
    lists = env.lists(failure_backoff=5.0)
    with pytest.raises(StatusRetrievalError, match="HTTP 503"):
        revocation(env, lists, url)
    env.clock[0] += 4
    with pytest.raises(StatusRetrievalError, match="HTTP 503"):
        revocation(env, lists, url)
    assert env.server.count("/list") == 1
    env.server.routes["/list"].status = 200
    env.clock[0] += 2
    assert bit_at(revocation(env, lists, url), 0) == 1
    assert env.server.count("/list") == 2


def test_cache_key_includes_issuer_and_purpose(env: Env) -> None:
    """A list verified for one issuer or purpose is never served from cache for another."""
    url = serve_w3c(env)
    lists = env.lists()
    revocation(env, lists, url)
    with pytest.raises(StatusListVerificationError):
        lists.bitstring(url, purpose="revocation", issuer=env.other, now=NOW)
    with pytest.raises(StatusListVerificationError, match="not a suspension list"):
        lists.bitstring(url, purpose="suspension", issuer=env.partner, now=NOW)


def test_cache_holds_at_most_max_lists(env: Env) -> None:
    lists = env.lists(max_lists=2)
    urls = [serve_w3c(env, f"/list{i}") for i in range(3)]
    for url in urls:
        revocation(env, lists, url)
    revocation(env, lists, urls[2])
    revocation(env, lists, urls[0])  # dropped as the oldest: fetched again
    assert [env.server.count(f"/list{i}") for i in range(3)] == [2, 1, 1]


def test_ten_million_entries_decode_once_and_cost_a_lookup(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    real_decode = status_external.decode_list

    def counting_decode(encoded: str, **options: Any) -> bytes:
        bits = real_decode(encoded, **options)
        decoded.append(len(bits) * 8)
        return bits

    monkeypatch.setattr(status_external, "decode_list", counting_decode)
    big_last = 10_000_000 - 1
    big = serve_w3c(env, "/big", bits=pack_bits([0, big_last], size=10_000_000))
    small = serve_w3c(env, "/small", bits=pack_bits([0, LAST], size=MIN_ENTRIES))
    lists = env.lists()
    for url, last in ((big, big_last), (small, LAST)):
        first = revocation(env, lists, url)
        for _ in range(1000):
            bits = revocation(env, lists, url)
            # The very same bytes object: no copy, no decode, just a dict hit and a bit read.
            assert bits is first
            assert (bit_at(bits, 0), bit_at(bits, 1), bit_at(bits, last)) == (1, 0, 1)
    assert decoded == [10_000_000, MIN_ENTRIES]
    assert (env.server.count("/big"), env.server.count("/small")) == (1, 1)


def test_concurrent_checks_of_a_stale_list_fetch_it_once(env: Env) -> None:
    url = serve_w3c(env)
    env.server.routes["/list"].delay = 0.3
    lists = env.lists()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: revocation(env, lists, url), range(8)))
    assert env.server.count("/list") == 1
    assert all(bits is results[0] for bits in results)
