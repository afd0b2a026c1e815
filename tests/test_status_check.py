"""The status check of our own issuers' credentials, in process: "unknown" is never valid.

Credentials here are signed with the issuer's real key around status entries the test
chooses, as a buggy or hostile issuer system could produce them.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest

from tests.conftest import NOW
from tests.factories import make_world
from wallet.errors import (
    RevokedError,
    StatusListLengthError,
    StatusListVerificationError,
    StatusUnknownError,
)
from wallet.issuance import build_credential
from wallet.jose import parse_compact
from wallet.revocation import Action, change_status
from wallet.vc import vc_jwt_signer
from wallet.verifier import Result, verify_credential

BASE = "https://wallet.test"


@pytest.fixture
def world(settings, engine):
    return make_world(settings, engine, now=NOW)


def _issued(world) -> tuple[str, dict]:
    token = world.issue("uni", "diploma")
    return token, parse_compact(token).payload


def _signed(world, payload: dict, slug: str = "uni") -> str:
    services = world.services
    with services.session() as session:
        kid, key = services.keystore.signing_key(session, issuer_slug=slug)
    return vc_jwt_signer(kid=kid, key=key).sign(payload)


def _status(world, token, ctx=None):
    report = verify_credential(token, ctx=ctx or world.services.verification, now=NOW)
    (check,) = [c for c in report.checks if c.name == "status"]
    return report, check


def _with_entries(payload: dict, entries) -> dict:
    changed = copy.deepcopy(payload)
    changed["credentialStatus"] = entries
    return changed


def _swap(entry: dict, old: str, new: str) -> str:
    return entry["statusListCredential"].replace(old, new)


def test_an_issued_credential_passes_its_status_check(world):
    token, _ = _issued(world)
    report, check = _status(world, token)
    assert report.verified
    assert check.result is Result.PASSED
    assert check.reason == "not revoked or suspended"


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda e: {**e, "statusListCredential": f"{BASE}/status/uni/999/revocation"},
         StatusListVerificationError),
        (lambda e: {**e, "statusListIndex": "131072"}, StatusListLengthError),
        (lambda e: {**e, "statusListCredential": _swap(e, "/uni/", "/school/")},
         StatusListVerificationError),
        (lambda e: {**e, "statusListCredential": "https://elsewhere.example/status/1"},
         StatusListVerificationError),
        (lambda e: {**e, "statusListCredential": _swap(e, "revocation", "suspension")},
         StatusListVerificationError),
        (lambda e: {**e, "statusListIndex": "-1"}, StatusListVerificationError),
        (lambda e: {**e, "statusListIndex": "１２"}, StatusListVerificationError),
        (lambda e: {**e, "statusListIndex": 7}, StatusListVerificationError),
        (lambda e: {**e, "statusPurpose": "message"}, StatusUnknownError),
        (lambda e: {**e, "statusSize": 2}, StatusUnknownError),
        (lambda e: {**e, "type": "StatusList2021Entry"}, StatusUnknownError),
        (lambda e: {**e, "statusListCredential": {"id": "x"}}, StatusListVerificationError),
        (lambda e: {**e, "statusPurpose": ["revocation"]}, StatusUnknownError),
        (lambda e: {**e, "statusListIndex": "99999999999999"}, StatusListLengthError),
    ],
    ids=["no-such-list", "index-beyond-list", "another-issuers-list", "foreign-url",
         "wrong-purpose-list", "negative-index", "non-ascii-digits", "index-not-a-string",
         "unsupported-purpose", "wider-entries", "unsupported-type", "url-not-a-string",
         "purpose-not-a-string", "index-beyond-any-list"],
)  # fmt: skip
def test_a_status_that_cannot_be_established_is_unknown_and_does_not_verify(world, mutate, error):
    world.issue("school", "diploma")  # the school has a list too
    _, payload = _issued(world)
    entries = payload["credentialStatus"]
    token = _signed(world, _with_entries(payload, [mutate(entries[0]), entries[1]]))
    report, check = _status(world, token)
    assert not report.verified
    assert check.result is Result.UNKNOWN
    (problem,) = report.problems
    assert type(problem) is error
    assert problem.problem_type.startswith("https://www.w3.org/ns/credentials/status-list#")
    # Every other check passed: status alone keeps it from verifying.
    assert all(c.result is not Result.FAILED for c in report.checks)


def test_an_empty_status_list_is_unknown(world):
    _, payload = _issued(world)
    report, check = _status(world, _signed(world, _with_entries(payload, [])))
    assert check.result is Result.UNKNOWN and not report.verified


def test_the_policy_switch_accepts_unknown_with_a_warning(world):
    _, payload = _issued(world)
    entry = dict(payload["credentialStatus"][0])
    entry["statusListCredential"] = f"{BASE}/status/uni/999/revocation"
    token = _signed(world, _with_entries(payload, [entry]))
    lenient = dataclasses.replace(world.services.verification, accept_unknown_status=True)
    report, check = _status(world, token, lenient)
    assert report.verified
    assert check.result is Result.UNKNOWN
    assert "accepted by policy" in check.reason
    assert report.warnings and "status unknown" in report.warnings[0]
    assert report.problems == ()


def test_the_policy_switch_never_accepts_a_revocation(world):
    token, payload = _issued(world)
    with world.services.session() as session:
        change_status(session, issuer_slug="uni", credential_id=payload["id"],
                      action=Action.REVOKE, reason="fraud", actor="test", now=NOW)  # fmt: skip
        session.commit()
    lenient = dataclasses.replace(world.services.verification, accept_unknown_status=True)
    report, check = _status(world, token, lenient)
    assert not report.verified and check.result is Result.FAILED
    assert isinstance(report.problems[0], RevokedError)


def test_the_policy_switch_is_a_setting(settings, engine):
    from tests.factories import settings_env
    from wallet.config import load_settings

    env = {**settings_env(settings), "IMK_STATUS_ACCEPT_UNKNOWN": "1"}
    assert load_settings(env).status_accept_unknown is True
    assert load_settings(settings_env(settings)).status_accept_unknown is False


def test_a_forged_signature_does_not_reach_the_status_lists(world):
    token, payload = _issued(world)
    lists = world.services.own_status_lists
    before = lists.version_reads
    header, body, signature = token.split(".")
    forged = f"{header}.{body}.{signature[:-4]}AAAA"
    report, check = _status(world, forged)
    assert not report.verified and check.result is Result.UNKNOWN
    assert lists.version_reads == before


def test_list_sizes_below_the_herd_minimum_are_refused(settings):
    from pydantic import ValidationError

    from tests.factories import settings_env
    from wallet.config import load_settings

    for size in ("131071", "1000", "131076"):
        with pytest.raises(ValidationError):
            load_settings({**settings_env(settings), "IMK_STATUS_LIST_SIZE": size})
    assert (
        load_settings(
            {**settings_env(settings), "IMK_STATUS_LIST_SIZE": "10000000"}
        ).status_list_size
        == 10_000_000
    )


def test_an_institution_cannot_send_its_own_status(world):
    from wallet.errors import RecordError
    from wallet.issuance import IssueRequest, issue_batch

    services = world.services
    ctype = services.types.get("diploma")
    credential = build_credential(
        ctype, ctype.example, issuer_did=services.registry.by_slug("uni").did
    )
    credential["credentialStatus"] = {"type": "BitstringStatusListEntry"}
    with services.session() as session, pytest.raises(RecordError) as caught:
        issue_batch(session, ctx=services.issuance, issuer=services.registry.by_slug("uni"),
                    requests=[IssueRequest(credential=credential)], now=NOW)  # fmt: skip
    assert caught.value.problems[0].pointer == "/credential/credentialStatus"
