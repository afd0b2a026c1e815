"""Nothing a client sends may produce a 5xx: generated bodies against every POST route."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import NOW
from tests.factories import make_world
from wallet.web.app import create_app

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
KEYS = [
    "credential",
    "options",
    "verifiableCredential",
    "@context",
    "type",
    "issuer",
    "credentialSubject",
    "format",
    "credentialId",
    "learner",
    "personalCode",
    "id",
]
SHAPED = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=4)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from tests.conftest import REPO, TEST_SECRET, database_url, reset_database
    from wallet.config import load_settings
    from wallet.db.engine import make_engine

    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "issuers").mkdir()
    settings = load_settings(
        {
            "IMK_DATA_DIR": str(tmp / "data"), "IMK_DATABASE_URL": database_url(tmp),
            "IMK_ISSUERS_DIR": str(tmp / "issuers"), "IMK_KEYS_DIR": str(tmp / "keys"),
            "IMK_SCHEMAS_DIR": str(REPO / "schemas"), "IMK_SECRET_KEY": TEST_SECRET,
            "IMK_BASE_URL": "https://wallet.test", "IMK_CACHE_TTL_SECONDS": "0",
        }
    )  # fmt: skip
    engine = make_engine(settings.database_url)
    reset_database(engine)
    world = make_world(settings, engine, now=NOW)
    client = TestClient(create_app(settings, services=world.services))
    client.headers["Authorization"] = f"Bearer {world.tokens['uni']}"
    yield client
    engine.dispose()


@pytest.mark.parametrize("path", ["/credentials/issue", "/credentials/verify"])
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(JSON, SHAPED))
def test_generated_bodies_never_get_a_5xx(client, path, body):
    response = client.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and "problemDetails" not in response.json():
        assert response.headers["content-type"].startswith("application/problem+json")


@given(raw=st.binary(max_size=200))
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_generated_bytes_never_get_a_5xx(client, raw):
    response = client.post(
        "/credentials/verify", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text


DIPLOMA_KEYS = st.sampled_from(
    ["givenName", "familyName", "birthDate", "achievement", "id", "title", "eqfLevel", "courses"]
)


@hsettings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(DIPLOMA_KEYS, JSON, max_size=3))
def test_mutated_diploma_never_gets_a_5xx(client, changes):
    from wallet.issuance import build_credential

    services = client.app.state.services
    ctype = services.types.get("diploma")
    subject = {**ctype.example, **changes}
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug("uni").did)
    response = client.post("/credentials/issue", json={"credential": credential})
    assert response.status_code in (201, 400, 422), response.text


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_json_numbers_never_get_a_5xx(client, literal):
    # Python's JSON parser accepts these extensions; they must not reach a signature.
    services = client.app.state.services
    did = services.registry.by_slug("uni").did
    body = (
        '{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2", '
        '"https://www.w3.org/ns/credentials/examples/v2"], "type": ["VerifiableCredential"], '
        f'"issuer": "{did}", "credentialSubject": {{"id": "did:example:1", "score": {literal}}}}}}}'
    )
    response = client.post(
        "/credentials/issue", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422), response.text
