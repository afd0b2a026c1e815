"""Verifier challenges: single use, expiry, domain binding, over the API and at the use-case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.factories import make_world
from wallet import challenges
from wallet.errors import ChallengeError
from wallet.web.app import create_app


@pytest.fixture
def world(settings, engine):
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(world):
    return TestClient(create_app(world.services.settings, services=world.services))


def test_challenge_over_the_api_is_single_use_and_bound_to_its_domain(client, world):
    response = client.post("/challenges", json={"domain": "hr.example.lv"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["domain"] == "hr.example.lv"
    assert body["expires"] == "2026-06-01T00:05:00Z"  # NOW + 300 s
    services = world.services
    with services.session() as session:
        with pytest.raises(ChallengeError):
            challenges.use(session, challenge=body["challenge"], domain="other.example", now=NOW)
        challenges.use(session, challenge=body["challenge"], domain="hr.example.lv", now=NOW)
        with pytest.raises(ChallengeError):  # replayed
            challenges.use(session, challenge=body["challenge"], domain="hr.example.lv", now=NOW)
        session.commit()


def test_expired_and_unknown_challenges_are_refused(world):
    services = world.services
    with services.session() as session:
        issued = challenges.create(
            session, domain="a.example", now=NOW, ttl=60, random=services.random
        )
        session.commit()
        with pytest.raises(ChallengeError):
            challenges.use(session, challenge=issued.challenge, domain="a.example", now=NOW + 60)
        with pytest.raises(ChallengeError):
            challenges.use(session, challenge="never-issued", domain="a.example", now=NOW)


@pytest.mark.parametrize("domain", ["", "has space", "x" * 513, "tab\there"])
def test_bad_domains_are_refused(client, domain):
    response = client.post("/challenges", json={"domain": domain})
    assert 400 <= response.status_code < 500
