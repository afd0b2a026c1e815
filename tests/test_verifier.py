"""Verifier: JSON-LD and contexts at verification time, accreditation at signing time."""

from __future__ import annotations

import pytest

from tests.conftest import NOW
from tests.factories import make_issuer_dir, make_world
from wallet.verifier import Result, verify_credential

EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
V2 = "https://www.w3.org/ns/credentials/v2"


def _sign(world, slug: str, credential: dict, iat: int = NOW - 60) -> str:
    from wallet.vc import vc_jwt_signer

    services = world.services
    with services.session() as session:
        kid, key = services.keystore.signing_key(session, issuer_slug=slug)
    payload = dict(credential)
    payload["iat"] = iat
    return vc_jwt_signer(kid=kid, key=key).sign(payload)


def _results(world, token: str, now: int = NOW) -> dict[str, Result]:
    report = verify_credential(token, ctx=world.services.verification, now=now)
    return {check.name: check.result for check in report.checks}


@pytest.fixture
def world(settings, engine):
    return make_world(settings, engine, now=NOW)


def _generic(world, **changes) -> dict:
    credential = {
        "@context": [V2, EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "issuer": world.services.registry.by_slug("uni").did,
        "credentialSubject": {"id": "did:example:123", "alumniOf": "Example"},
    }
    credential.update(changes)
    return credential


def test_generic_credential_verifies_with_full_expansion(world):
    assert _results(world, _sign(world, "uni", _generic(world)))["contexts"] is Result.PASSED


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"@context": [V2]}, id="undefined-term"),
        pytest.param(
            {"@context": [V2, EXAMPLES_V2, {"issuer": "https://evil.example/i"}]},
            id="redefined-protected-term",
        ),
        pytest.param(
            {"@context": [V2, "https://evil.example/context.jsonld"]},
            id="unknown-context-never-fetched",
        ),
        pytest.param({"id": "not a url"}, id="non-url-id"),
    ],
)
def test_generic_credential_with_bad_terms_does_not_verify(world, changes):
    results = _results(world, _sign(world, "uni", _generic(world, **changes)))
    assert Result.FAILED in (results["contexts"], results["dataModel"])


def test_registered_type_with_extra_context_does_not_verify(world):
    from wallet.issuance import build_credential

    ctype = world.services.types.get("diploma")
    credential = build_credential(
        ctype, ctype.example, issuer_did=world.services.registry.by_slug("uni").did
    )
    credential["@context"] = [*credential["@context"], {"familyName": "https://evil.example/n"}]
    assert _results(world, _sign(world, "uni", credential))["contexts"] is Result.FAILED


def test_accreditation_is_judged_at_signing_time(settings, engine):
    # DESIGN §4: a diploma stays valid after its institution's accreditation ends.
    make_issuer_dir(
        settings.issuers_dir, "closed", valid_from="2020-01-01", valid_until="2026-03-01"
    )
    # The key dates from before the closure (2026-02-24).
    world = make_world(settings, engine, now=1771900000, issuers={"closed": "EdDSA"})
    from wallet.issuance import build_credential

    ctype = world.services.types.get("diploma")
    credential = build_credential(
        ctype, ctype.example, issuer_did=world.services.registry.by_slug("closed").did
    )
    credential["validFrom"] = "2026-01-01T00:00:00Z"
    before_closure = _sign(world, "closed", credential, iat=1772000000)  # 2026-02-25
    after_closure = _sign(world, "closed", credential, iat=NOW - 60)
    assert _results(world, before_closure)["accreditation"] is Result.PASSED
    assert _results(world, after_closure)["accreditation"] is Result.FAILED


def test_type_not_in_accreditation_does_not_verify(settings, engine):
    make_issuer_dir(settings.issuers_dir, "courses", types=["course-certificate"])
    world = make_world(settings, engine, now=NOW, issuers={"courses": "ES256"})
    from wallet.issuance import build_credential

    ctype = world.services.types.get("diploma")
    credential = build_credential(
        ctype, ctype.example, issuer_did=world.services.registry.by_slug("courses").did
    )
    assert _results(world, _sign(world, "courses", credential))["accreditation"] is Result.FAILED
