"""SD-JWT VC interoperability with the TypeScript implementation (npm ``@sd-jwt/sd-jwt-vc``).

``tests/interop_js/sdjwt.mjs`` wraps the OpenWallet Foundation's library (versions pinned in
its ``package.json`` and ``package-lock.json``); the ``node`` fixture (``tests/fixtures/node.py``)
runs ``npm ci`` there when ``node_modules`` is missing or stale, so a clean clone installs it
by itself. Both ways:

- ours → theirs: an SD-JWT VC issued by :func:`issue_sd_jwt` (nested and array Disclosures)
  and presented by :func:`present` with a KB-JWT verifies under ``SDJwtVcInstance.verify``,
  and its processed claims equal ours;
- theirs → ours: an SD-JWT VC issued and presented by the library verifies with
  :func:`verify_sd_jwt` under our :class:`KeyBindingPolicy`, with the claims it disclosed.

Each way runs with an ES256 issuer and a P-256 holder, and with an EdDSA issuer and an
Ed25519 holder. The script's header says which checks the library leaves to its caller.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from tests.fixtures.node import run_script
from tests.sdjwt.helpers import AUD, NONCE, NOW, diploma_claims, salt, unb64, verify
from wallet.jose import SigningKey, generate_signing_key, private_der
from wallet.sdjwt import issue_sd_jwt, present, sd_jwt_signer

KEY_PAIRS = [
    pytest.param(("ES256", "ES256"), id="issuer-ES256-holder-P256"),
    pytest.param(("EdDSA", "EdDSA"), id="issuer-EdDSA-holder-Ed25519"),
]


def run_node(node: str, *args: str, stdin: str) -> Any:
    return run_script(node, "sdjwt.mjs", *args, stdin=stdin)


def keys(pair: tuple[str, str]) -> tuple[SigningKey, SigningKey]:
    return generate_signing_key(pair[0]), generate_signing_key(pair[1])


@pytest.mark.parametrize("pair", KEY_PAIRS)
def test_our_presentation_verifies_under_sd_jwt_js(node: str, pair: tuple[str, str]) -> None:
    issuer, holder = keys(pair)
    claims = diploma_claims(holder)
    issued = issue_sd_jwt(
        claims,
        signer=sd_jwt_signer(issuer, kid="k1"),
        sd_paths=[
            ("givenName",),
            ("birthDate",),
            ("achievement", "overallGrade"),
            ("achievement", "programme", "code"),
            ("achievement", "courses"),
            ("achievement", "courses", None),
        ],
        salt=salt,
        decoys=1,
    )
    keep = {("givenName",), ("achievement", "programme", "code"), ("achievement", "courses", 1)}
    presentation = present(
        issued.serialized, keep=keep, holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW
    )

    theirs = run_node(
        node,
        "verify",
        "--issuer-jwk",
        json.dumps(issuer.public.to_dict(kid="k1")),
        "--aud",
        AUD,
        "--nonce",
        NONCE,
        "--now",
        str(NOW),
        stdin=presentation,
    )

    ours = verify(presentation, issuer.public).claims
    assert theirs["claims"] == ours
    expected = {name: value for name, value in claims.items() if name != "birthDate"}
    expected["achievement"] = {
        "title": claims["achievement"]["title"],
        "programme": claims["achievement"]["programme"],
        "courses": [claims["achievement"]["courses"][1]],
    }
    assert theirs["claims"] == expected
    assert theirs["header"] == {"typ": "dc+sd-jwt", "kid": "k1", "alg": issuer.alg}
    assert theirs["kb"]["header"] == {"typ": "kb+jwt", "alg": holder.alg}
    assert theirs["kb"]["payload"]["aud"] == AUD


@pytest.mark.parametrize("pair", KEY_PAIRS)
def test_sd_jwt_js_presentation_verifies_with_us(node: str, pair: tuple[str, str]) -> None:
    issuer, holder = keys(pair)
    claims = diploma_claims(holder)
    request = {
        "issuer_key": base64.b64encode(private_der(issuer)).decode("ascii"),
        "holder_key": base64.b64encode(private_der(holder)).decode("ascii"),
        "claims": claims,
        # The library's frame: "_sd" lists the names (or indices) to hide at each level, and
        # "_sd_decoy" asks for that many decoy digests.
        "disclosure_frame": {
            "_sd": ["givenName", "familyName", "birthDate", "achievement"],
            "_sd_decoy": 2,
            "achievement": {
                "_sd": ["programme", "overallGrade", "courses"],
                "programme": {"_sd": ["code"]},
                "courses": {"_sd": [0, 1, 2], "_sd_decoy": 1},
            },
        },
        "presentation_frame": {
            "familyName": True,
            "achievement": {"programme": {"code": True}, "courses": {"0": True, "2": True}},
        },
        "aud": AUD,
        "nonce": NONCE,
        "iat": NOW,
    }

    made = run_node(node, "issue-present", stdin=json.dumps(request))

    result = verify(made["presentation"], issuer.public)
    expected = {
        name: value for name, value in claims.items() if name not in {"givenName", "birthDate"}
    }
    expected["achievement"] = {
        "title": claims["achievement"]["title"],
        "programme": claims["achievement"]["programme"],
        "courses": [claims["achievement"]["courses"][0], claims["achievement"]["courses"][2]],
    }
    assert result.claims == expected
    assert result.header["typ"] == "dc+sd-jwt"  # the library's default for SDJwtVcInstance
    assert result.key_binding is not None
    assert result.key_binding.holder_key.thumbprint == holder.public.thumbprint
    assert result.key_binding.header == {"typ": "kb+jwt", "alg": holder.alg}
    # The credential as issued, every Disclosure included, also verifies with us.
    full = verify(made["credential"], issuer.public, key_binding=None)
    assert full.claims == claims
    # Quirk: the library's salts are 16 hex characters (64 bits), not the 128 bits that
    # RFC 9901 §9.3 recommends; our verifier does not judge salt length.
    salts = {json.loads(unb64(text))[0] for text in made["credential"].split("~")[1:-1]}
    assert {len(value) for value in salts} == {16}


REFUSALS = {
    # The library itself checks the nonce; the script adds aud and iat (see its header).
    "nonce": (("--nonce", "another-nonce"), "Invalid Nonce"),
    "aud": (("--aud", "https://other.test"), "another audience"),
    "stale": (("--now", str(NOW + 3600)), "too old"),
    "typ": (("--typ", "vc+sd-jwt"), "typ is dc+sd-jwt"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_sd_jwt_js_refuses_a_wrong_presentation(node: str, case: str) -> None:
    """The oracle is not vacuous: a presentation for another transaction fails there."""
    issuer, holder = keys(("ES256", "ES256"))
    issued = issue_sd_jwt(
        diploma_claims(holder),
        signer=sd_jwt_signer(issuer),
        sd_paths=[("givenName",)],
        salt=salt,
    )
    presentation = present(
        issued.serialized, keep={("givenName",)}, holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW
    )
    options = {
        "--issuer-jwk": json.dumps(issuer.public.to_dict()),
        "--aud": AUD,
        "--nonce": NONCE,
        "--now": str(NOW),
    }
    (name, value), message = REFUSALS[case]
    options[name] = value
    arguments = [part for option in options.items() for part in option]
    with pytest.raises(AssertionError, match=re.escape(message)):
        run_node(node, "verify", *arguments, stdin=presentation)
