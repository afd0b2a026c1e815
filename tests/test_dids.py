"""wallet.dids: did:web identifiers, DID documents, JWK sets, did:jwk."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from wallet.dids import (
    did_document,
    did_jwk,
    issuer_did,
    issuer_https_id,
    jwks,
    resolve_did_jwk,
)
from wallet.errors import InputError, ParseError, WeakKeyError
from wallet.jose import JWK, b64url_encode, generate_signing_key

# All-zero bytes encode y = 0, an Ed25519 point of order 4 (reference/security.md F1).
SMALL_ORDER_X = b64url_encode(bytes(32))


@dataclass(frozen=True)
class Issuer:
    did: str


@dataclass(frozen=True)
class Key:
    kid: str
    jwk: JWK
    state: str
    valid_from: int


@pytest.mark.parametrize(
    ("base", "did", "https"),
    [
        (
            "https://wallet.test",
            "did:web:wallet.test:issuers:uni",
            "https://wallet.test/issuers/uni",
        ),
        (
            "http://127.0.0.1:8000",
            "did:web:127.0.0.1%3A8000:issuers:uni",
            "http://127.0.0.1:8000/issuers/uni",
        ),
        (
            "https://example.lv:8443/imk/",
            "did:web:example.lv%3A8443:imk:issuers:uni",
            "https://example.lv:8443/imk/issuers/uni",
        ),
    ],
    ids=["plain", "port", "port-and-path"],
)
def test_issuer_identifiers(base, did, https):
    assert issuer_did(base, "uni") == did
    assert issuer_https_id(base, "uni") == https


@pytest.mark.parametrize("base", ["wallet.test", "ftp://x", "https://u:p@x", "https://x/?q=1"])
def test_bad_base_url_refused(base):
    with pytest.raises(InputError):
        issuer_did(base, "uni")


def make_keys():
    did = "did:web:wallet.test:issuers:uni"
    old = generate_signing_key("EdDSA").public
    cur = generate_signing_key("ES256").public
    bad = generate_signing_key("EdDSA").public
    return did, [
        Key(f"{did}#{old.thumbprint}", old, "retired", 100),
        Key(f"{did}#{cur.thumbprint}", cur, "current", 200),
        Key(f"{did}#{bad.thumbprint}", bad, "compromised", 150),
    ]


def test_did_document_lists_current_and_retired_keys():
    did, keys = make_keys()
    document = did_document(Issuer(did), keys)
    assert document["id"] == did
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == [keys[1].kid, keys[2].kid, keys[0].kid]
    for method in methods:
        assert method["type"] == "JsonWebKey"
        assert method["controller"] == did
        assert "d" not in method["publicKeyJwk"]
    # Compromised keys are published but never authorised for assertions.
    assert document["assertionMethod"] == [keys[1].kid, keys[0].kid]
    json.dumps(document)


def test_jwks():
    _, keys = make_keys()
    published = jwks(keys)["keys"]
    assert [k["kid"] for k in published] == [keys[1].kid, keys[0].kid]
    assert published[0]["alg"] == "ES256" and published[0]["use"] == "sig"
    assert published[1]["alg"] == "EdDSA"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_did_jwk_round_trip(alg):
    public = generate_signing_key(alg).public
    did = did_jwk(public.to_dict())
    assert did.startswith("did:jwk:")
    assert did_jwk(dict(reversed(list(public.members.items())))) == did  # canonical
    resolved = resolve_did_jwk(did)
    assert resolved.members == public.members and resolved.alg == alg
    assert resolve_did_jwk(did + "#0").members == public.members


def test_did_jwk_spec_example_resolves():
    # did:jwk specification, P-256 example.
    did = (
        "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
        "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
    )
    assert resolve_did_jwk(did).alg == "ES256"
    assert did_jwk(resolve_did_jwk(did).members) == did


def test_did_jwk_with_small_order_ed25519_key_refused():
    small = {"kty": "OKP", "crv": "Ed25519", "x": SMALL_ORDER_X}
    with pytest.raises(WeakKeyError):
        did_jwk(small)
    encoded = b64url_encode(json.dumps(small).encode())
    with pytest.raises(WeakKeyError):
        resolve_did_jwk("did:jwk:" + encoded)


def test_did_jwk_with_private_members_refused():
    public = generate_signing_key("EdDSA").public.to_dict()
    private = dict(public, d=b64url_encode(bytes(32)))
    with pytest.raises(ParseError):
        did_jwk(private)
    with pytest.raises(ParseError):
        resolve_did_jwk("did:jwk:" + b64url_encode(json.dumps(private).encode()))


@pytest.mark.parametrize(
    "did", ["did:web:x", "did:jwk:", "did:jwk:!!", "did:jwk:" + b64url_encode(b"[]")]
)
def test_malformed_did_jwk_refused(did):
    with pytest.raises(ParseError):
        resolve_did_jwk(did)
