"""The learner wallet API end to end: credentials issued over the API before the account
exists, released by proving the e-mail address, read in three languages, downloaded,
imported, deleted, exported and erased; and the isolation matrix over every wallet route.

Accounts are made through the real flows (``tests/fixtures/accounts.py``): every
verification link comes out of a message the test SMTP server received.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlmodel import select

from tests.factories import make_world
from tests.fixtures.accounts import PASSWORD, Person, login, register
from wallet import accounts
from wallet.db.models import AuditEvent
from wallet.issuance import build_credential
from wallet.jose import decrypt_with_passphrase
from wallet.web.api import wallet as wallet_api

CODE = "010190-10001"
PASSPHRASE = "five brown owls at Sigulda"  # noqa: S105 (a test-only value)
TITLE = {"lv": "Digitālās prasmes biroja darbā", "en": "Digital skills for office work"}
#: What each language shows for the test credential (course-certificate, issuer "uni").
SHOWN = {
    "lv": {
        "given": "Vārds",
        "title_label": "Nosaukums",
        "type": "Apliecība par profesionālās pilnveides izglītību",
        "issuer": "Testa iestāde uni",
        "title": TITLE["lv"],
    },
    "en": {
        "given": "Given name",
        "title_label": "Title",
        "type": "Course certificate",
        "issuer": "Test institution uni",
        "title": TITLE["en"],
    },
    "ru": {
        "given": "Имя",
        "title_label": "Название",
        "type": "Свидетельство о курсе повышения квалификации",
        "issuer": "Testa iestāde uni",  # the registry has no Russian name: Latvian
        "title": TITLE["lv"],  # the credential has no Russian title: Latvian
    },
}


def issuer_auth(world) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens['uni']}"}


def issue(api, world, *, title: dict[str, str] = TITLE, **learner: str) -> dict[str, Any]:
    """Issue a course certificate over the API to ``learner`` (email / personalCode);
    return the enveloped credential."""
    services = world.services
    ctype = services.types.get("course-certificate")
    subject = copy.deepcopy({k: v for k, v in ctype.example.items() if k != "id"})
    subject["achievement"]["title"] = dict(title)
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug("uni").did)
    response = api.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"learner": learner}},
        headers=issuer_auth(world),
    )
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def token_of(enveloped: dict[str, Any]) -> str:
    return enveloped["id"].split(",", 1)[1]


def learner(api, mailbox, email: str, **extra: Any) -> Person:
    return login(api, register(api, mailbox, email, **extra))


def listing(api, person: Person, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/wallet/credentials", params=params, headers=person.auth)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_issue_before_account_register_prove_then_the_credential_appears(
    api, mailbox, accounts_world
):
    issued = issue(api, accounts_world, email="Liga@Example.lv")
    person = learner(api, mailbox, "liga@example.lv")
    (item,) = listing(api, person)
    uni = accounts_world.services.registry.by_slug("uni")
    assert item == {
        "id": item["id"],
        "type": "course-certificate",
        "issuer": {"id": uni.did, "slug": "uni", "name": "Testa iestāde uni"},
        "title": TITLE["lv"],
        "issuedAt": "2026-06-01T00:00:00Z",
        "addedAt": "2026-06-01T00:00:00Z",
        "source": "issued",
        "trust": "verified",
        "verified": True,
    }
    (english,) = listing(api, person, lang="en")
    assert english["issuer"]["name"] == "Test institution uni"
    assert english["title"] == TITLE["en"]
    raw = api.get(f"/wallet/credentials/{item['id']}/raw", headers=person.auth)
    assert raw.text == token_of(issued)
    # A credential issued after the account proved its address goes straight in.
    issue(api, accounts_world, email="liga@example.lv", title={"lv": "Otrais", "en": "Second"})
    assert [i["title"] for i in listing(api, person, sort="title")] == [TITLE["lv"], "Otrais"]


def test_a_personal_code_credential_is_not_released_by_the_email_address(
    api, mailbox, accounts_world
):
    issue(api, accounts_world, personalCode=CODE, email="janis@example.lv")
    person = learner(api, mailbox, "janis@example.lv")
    assert listing(api, person) == []
    issue(api, accounts_world, email="janis@example.lv", title={"lv": "Pa e-pastu", "en": "x"})
    assert [i["title"] for i in listing(api, person)] == ["Pa e-pastu"]


@pytest.mark.parametrize("lang", ["lv", "en", "ru"])
def test_view_shows_the_labels_of_the_language(api, mailbox, accounts_world, lang):
    issue(api, accounts_world, email="view@example.lv")
    person = learner(api, mailbox, "view@example.lv")
    (item,) = listing(api, person)
    response = api.get(
        f"/wallet/credentials/{item['id']}", params={"lang": lang}, headers=person.auth
    )
    assert response.status_code == 200, response.text
    shown, expected = response.json(), SHOWN[lang]
    assert shown["title"] == expected["title"]
    assert shown["type"]["name"] == "course-certificate"
    assert shown["type"]["displayName"] == expected["type"]
    assert shown["issuer"]["name"] == expected["issuer"]
    assert shown["issuer"]["accredited"] is True
    assert "course-certificate" in shown["issuer"]["accreditation"][0]["types"]
    labels = {tuple(c["path"]): c for c in shown["claims"]}
    assert labels[("givenName",)] == {
        "path": ["givenName"],
        "label": expected["given"],
        "value": "Ērika",
    }
    assert labels[("achievement", "title")]["label"] == expected["title_label"]
    assert ("personalCode",) not in labels  # never in a W3C credential
    assert shown["credential"]["credentialSubject"]["givenName"] == "Ērika"
    verification = shown["verification"]
    assert verification["verified"] is True
    assert verification["checkedAt"] == "2026-06-01T00:00:00Z"
    assert verification["checks"] and all(
        set(c) == {"name", "result", "reason"} for c in verification["checks"]
    )


def test_view_defaults_to_the_accounts_language_and_re_verifies_now(api, mailbox, accounts_world):
    issue(api, accounts_world, email="en@example.lv")
    person = learner(api, mailbox, "en@example.lv", language="en")
    (item,) = listing(api, person)
    assert item["title"] == TITLE["en"]
    shown = api.get(f"/wallet/credentials/{item['id']}", headers=person.auth).json()
    assert shown["type"]["displayName"] == "Course certificate"
    accounts_world.clock[0] += 3600
    later = api.get(f"/wallet/credentials/{item['id']}", headers=person.auth).json()
    assert later["verification"]["checkedAt"] == "2026-06-01T01:00:00Z"


def test_downloads_equal_what_was_issued(api, mailbox, accounts_world):
    issued = issue(api, accounts_world, email="dl@example.lv")
    person = learner(api, mailbox, "dl@example.lv")
    (item,) = listing(api, person)
    raw = api.get(f"/wallet/credentials/{item['id']}/raw", headers=person.auth)
    assert raw.status_code == 200
    assert raw.text == token_of(issued)
    assert raw.headers["content-type"] == "application/vc+jwt"
    assert raw.headers["content-disposition"] == f'attachment; filename="{item["id"]}.jwt"'
    assert raw.headers["cache-control"] == "no-store"
    for path in (f"/wallet/credentials/{item['id']}.json", f"/wallet/credentials/{item['id']}/raw"):
        params = {"format": "json"} if path.endswith("/raw") else {}
        as_json = api.get(path, params=params, headers=person.auth)
        assert as_json.status_code == 200, (path, as_json.text)
        assert as_json.headers["content-type"] == "application/json"
        assert as_json.headers["content-disposition"] == (
            f'attachment; filename="{item["id"]}.json"'
        )
        assert as_json.json() == issued


def test_import_keeps_and_marks_what_it_cannot_trust(
    api, mailbox, accounts_world, settings, engine, now, tmp_path
):
    person = learner(api, mailbox, "import@example.lv")
    here = accounts_world.issue("uni", "course-certificate")
    added = api.post(
        "/wallet/credentials", json={"verifiableCredential": here}, headers=person.auth
    )
    assert added.status_code == 201, added.text
    assert added.json()["trust"] == "verified" and added.json()["source"] == "imported"
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{here}",
    }
    again = api.post(
        "/wallet/credentials", json={"verifiableCredential": enveloped}, headers=person.auth
    )
    assert again.status_code == 201 and again.json()["trust"] == "verified"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    foreign_world = make_world(
        settings.model_copy(update={"issuers_dir": elsewhere}), engine, now=now,
        issuers={"foreign": "EdDSA"},
    )  # fmt: skip
    foreign = foreign_world.issue("foreign", "course-certificate")
    kept = api.post(
        "/wallet/credentials", json={"verifiableCredential": foreign}, headers=person.auth
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["trust"] == "unknown-issuer" and kept.json()["verified"] is False
    assert kept.json()["issuer"]["slug"] is None and kept.json()["issuer"]["name"] is None
    shown = api.get(f"/wallet/credentials/{kept.json()['id']}", headers=person.auth).json()
    assert shown["issuer"]["name"] is None and shown["issuer"]["accredited"] is False
    assert shown["verification"]["verified"] is False
    assert "failed" in {c["result"] for c in shown["verification"]["checks"]}
    before = listing(api, person)
    for garbage in ("not a credential", "a.b.c", {"id": "https://example.lv/vc/1"}):
        refused = api.post(
            "/wallet/credentials", json={"verifiableCredential": garbage}, headers=person.auth
        )
        assert refused.status_code == 400, (garbage, refused.text)
        assert refused.json()["code"] == "PARSING_ERROR"
    too_big = api.post(
        "/wallet/credentials", json={"verifiableCredential": "x" * 300_000}, headers=person.auth
    )
    assert too_big.status_code == 413
    assert listing(api, person) == before
    assert len(before) == 3


def test_delete_needs_confirmation(api, mailbox, accounts_world):
    issue(api, accounts_world, email="del@example.lv")
    person = learner(api, mailbox, "del@example.lv")
    (item,) = listing(api, person)
    path = f"/wallet/credentials/{item['id']}"
    for params in ({}, {"confirm": "false"}):
        refused = api.delete(path, params=params, headers=person.auth)
        assert refused.status_code == 400, refused.text
    assert len(listing(api, person)) == 1
    assert api.delete(path, params={"confirm": "true"}, headers=person.auth).status_code == 204
    assert listing(api, person) == []
    assert api.get(path, headers=person.auth).status_code == 404
    assert api.delete(path, params={"confirm": "true"}, headers=person.auth).status_code == 404
    records = api.get("/credentials", headers=issuer_auth(accounts_world)).json()
    assert len(records) == 1  # the institution's record stays


def test_access_log_is_empty_until_sharing_exists(api, mailbox, accounts_world):
    issue(api, accounts_world, email="log@example.lv")
    person = learner(api, mailbox, "log@example.lv")
    response = api.get("/wallet/access-log", headers=person.auth)
    assert response.status_code == 200
    assert response.json() == {"items": []}


def unzip(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def test_export_reauthenticates_and_gives_keys_only_under_a_passphrase(
    api, mailbox, accounts_world
):
    issued = issue(api, accounts_world, email="export@example.lv")
    person = learner(api, mailbox, "export@example.lv")
    (item,) = listing(api, person)
    wrong = api.post("/wallet/export", json={"password": "w" * 20}, headers=person.auth)
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert b"PK" not in wrong.content[:2]
    plain = api.post("/wallet/export", json={"password": PASSWORD}, headers=person.auth)
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"] == "application/zip"
    assert (
        plain.headers["content-disposition"] == 'attachment; filename="imk-wallet-2026-06-01.zip"'
    )
    files = unzip(plain.content)
    assert "holder-keys.json" not in files
    assert files[f"credentials/{item['id']}.jwt"].decode() == token_of(issued)
    assert json.loads(files["account.json"])["email"] == "export@example.lv"
    assert json.loads(files["access-log.json"]) == []
    for body, status in (
        ({"password": PASSWORD, "includeKeys": True}, 400),
        ({"password": PASSWORD, "passphrase": PASSPHRASE}, 400),
        ({"password": PASSWORD, "includeKeys": True, "passphrase": "short"}, 422),
        ({"password": PASSWORD, "includeKeys": True, "passphrase": PASSWORD}, 400),
        ({"password": "w" * 20, "includeKeys": True, "passphrase": PASSPHRASE}, 401),
    ):
        refused = api.post("/wallet/export", json=body, headers=person.auth)
        assert refused.status_code == status, (body, refused.text)
        assert not refused.content.startswith(b"PK")
    keyed = api.post(
        "/wallet/export",
        json={"password": PASSWORD, "includeKeys": True, "passphrase": PASSPHRASE},
        headers=person.auth,
    )
    assert keyed.status_code == 200, keyed.text
    sealed = json.loads(unzip(keyed.content)["holder-keys.json"])
    keys = json.loads(decrypt_with_passphrase(sealed, PASSPHRASE))
    assert len(keys) == 1 and keys[0]["holder"].startswith("did:jwk:")
    assert audit_actions(accounts_world).count("wallet.export") == 2


def audit_actions(world) -> list[str]:
    with world.services.session() as session:
        return [row.action for row in session.exec(select(AuditEvent)).all()]


def test_wrong_export_passwords_are_rate_limited(api, mailbox, accounts_world):
    person = learner(api, mailbox, "guess@example.lv")
    for _ in range(50):
        wrong = api.post("/wallet/export", json={"password": "w" * 20}, headers=person.auth)
        assert wrong.status_code == 401
    blocked = api.post("/wallet/export", json={"password": PASSWORD}, headers=person.auth)
    assert blocked.status_code == 429


def test_erase_removes_the_wallet_and_keeps_the_account_and_records(api, mailbox, accounts_world):
    issue(api, accounts_world, email="erase@example.lv")
    person = learner(api, mailbox, "erase@example.lv")
    assert len(listing(api, person)) == 1
    refusals = (
        ({"password": "w" * 20, "confirm": True}, 401),
        ({"password": PASSWORD, "confirm": False}, 400),
        ({"password": PASSWORD}, 422),
    )
    for body, status in refusals:
        refused = api.post("/wallet/erase", json=body, headers=person.auth)
        assert refused.status_code == status, (body, refused.text)
    assert len(listing(api, person)) == 1
    done = api.post(
        "/wallet/erase", json={"password": PASSWORD, "confirm": True}, headers=person.auth
    )
    assert done.status_code == 204, done.text
    assert listing(api, person) == []
    assert api.get("/account", headers=person.auth).status_code == 200
    assert len(api.get("/credentials", headers=issuer_auth(accounts_world)).json()) == 1
    assert "wallet.erase" in audit_actions(accounts_world)
    # What institutions issue later still arrives.
    issue(api, accounts_world, email="erase@example.lv", title={"lv": "Vēlāk", "en": "Later"})
    assert [i["title"] for i in listing(api, person)] == ["Vēlāk"]


def test_listing_filters_pages_and_sorts(api, mailbox, accounts_world):
    for lv, en in (("Zīmēšana", "Drawing"), ("Ābeļu kopšana", "Apple trees"), ("Čuguns", "Iron")):
        issue(api, accounts_world, email="list@example.lv", title={"lv": lv, "en": en})
    person = learner(api, mailbox, "list@example.lv")
    titles = [i["title"] for i in listing(api, person, sort="title")]
    assert titles == ["Ābeļu kopšana", "Čuguns", "Zīmēšana"]
    assert [i["title"] for i in listing(api, person, sort="title", lang="en")] == [
        "Apple trees", "Drawing", "Iron",
    ]  # fmt: skip
    assert [i["title"] for i in listing(api, person, q="ČUGUN")] == ["Čuguns"]
    assert len(listing(api, person, type="course-certificate", issuer="uni", year=2026)) == 3
    assert listing(api, person, type="diploma") == []
    assert listing(api, person, year=2025) == []
    page = api.get("/wallet/credentials?sort=title&limit=1&offset=1", headers=person.auth).json()
    assert [i["title"] for i in page["items"]] == ["Čuguns"]
    assert (page["limit"], page["offset"]) == (1, 1)
    for bad in ("sort=newest", "limit=0", "limit=101", "offset=-1", "lang=de"):
        assert api.get(f"/wallet/credentials?{bad}", headers=person.auth).status_code == 422


# --- the isolation matrix -------------------------------------------------------------------


@dataclass
class Pair:
    """Two learners with credentials each, and a credential that anyone could import."""

    a: Person
    b: Person
    a_ids: list[str]
    b_ids: list[str]
    b_tokens: dict[str, str]
    importable: str


@pytest.fixture
def pair(api, mailbox, accounts_world) -> Pair:
    issue(api, accounts_world, email="a@example.lv", title={"lv": "A kurss", "en": "A course"})
    issue(api, accounts_world, email="b@example.lv", title={"lv": "B kurss", "en": "B course"})
    issue(api, accounts_world, email="b@example.lv", title={"lv": "B otrais", "en": "B second"})
    a = learner(api, mailbox, "a@example.lv")
    b = learner(api, mailbox, "b@example.lv")
    b_ids = [i["id"] for i in listing(api, b)]
    return Pair(
        a=a,
        b=b,
        a_ids=[i["id"] for i in listing(api, a)],
        b_ids=b_ids,
        b_tokens={i: api.get(f"/wallet/credentials/{i}/raw", headers=b.auth).text for i in b_ids},
        importable=accounts_world.issue("uni", "course-certificate"),
    )


#: Every wallet route: (method, path with ``{id}`` for an item id, JSON body).
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/wallet/credentials", None),
    ("POST", "/wallet/credentials", "importable"),
    ("POST", "/wallet/credentials/upload", "upload"),
    ("GET", "/wallet/credentials/{id}", None),
    ("GET", "/wallet/credentials/{id}.json", None),
    ("GET", "/wallet/credentials/{id}/raw", None),
    ("GET", "/wallet/credentials/{id}/raw?format=json", None),
    ("DELETE", "/wallet/credentials/{id}?confirm=true", None),
    ("GET", "/wallet/access-log", None),
    (
        "POST",
        "/wallet/export",
        {"password": PASSWORD, "includeKeys": True, "passphrase": PASSPHRASE},
    ),
    ("POST", "/wallet/erase", {"password": PASSWORD, "confirm": True}),
]
IDS = [f"{method} {path}" for method, path, _ in ENDPOINTS]


def call(api, pair: Pair, endpoint, headers: dict[str, str], item_id: str):
    method, path, body = endpoint
    if body == "importable":
        body = {"verifiableCredential": pair.importable}
    if body == "upload":
        upload = {**headers, "Content-Type": "application/vc+jwt"}
        return api.request(method, path, content=pair.importable.encode(), headers=upload)
    return api.request(method, path.replace("{id}", item_id), json=body, headers=headers)


def b_state(api, pair: Pair) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """B's listing, and each of B's credentials as downloaded."""
    items = listing(api, pair.b)
    return items, {
        i["id"]: api.get(f"/wallet/credentials/{i['id']}/raw", headers=pair.b.auth).text
        for i in items
    }


def test_the_matrix_covers_every_wallet_route():
    routes = {
        (method, route.path.replace("{item_id}", "{id}"))
        for route in wallet_api.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    covered = {(method, path.split("?", 1)[0]) for method, path, _ in ENDPOINTS}
    assert covered == routes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_learner_a_never_reaches_learner_b(api, pair, endpoint):
    before = b_state(api, pair)
    assert before == (before[0], pair.b_tokens) and len(before[0]) == 2
    if "{id}" in endpoint[1]:
        unknown = call(api, pair, endpoint, pair.a.auth, "AAAAAAAAAAAAAAAAAAAAAA")
        assert unknown.status_code == 404, unknown.text
        for b_id in pair.b_ids:
            response = call(api, pair, endpoint, pair.a.auth, b_id)
            assert response.status_code == 404, response.text
            assert response.json() == unknown.json()
        own = call(api, pair, endpoint, pair.a.auth, pair.a_ids[0])  # the route itself works
        assert own.status_code < 300, own.text
    else:
        response = call(api, pair, endpoint, pair.a.auth, "")
        assert response.status_code < 300, response.text
        seen = response.content
        if response.headers.get("content-type") == "application/zip":
            seen = b"".join(unzip(response.content).values())
        for b_id in pair.b_ids:
            assert b_id.encode() not in seen
        for token in pair.b_tokens.values():
            assert token.encode() not in seen
    assert b_state(api, pair) == before


def test_a_listing_never_shows_b_whatever_the_filter(api, pair):
    queries = [{}, {"sort": "title"}, {"sort": "-date"}, {"q": "B"}, {"type": "course-certificate"},
               {"issuer": "uni"}, {"year": 2026}, {"limit": 100}]  # fmt: skip
    for params in queries:
        ids = {i["id"] for i in listing(api, pair.a, **params)}
        assert ids <= set(pair.a_ids), params
        assert not ids & set(pair.b_ids), params


def staff_like(api, world, email: str, role: str) -> Person:
    services = world.services
    now = int(world.clock[0])
    with services.session() as session:
        account = accounts.register(
            session, ctx=services.accounts, email=email, password=PASSWORD, language="en",
            now=now, role=role, issuer_slug="uni" if role == "staff" else None, actor="test",
        )  # fmt: skip
        assert account is not None
        account.email_verified_at = now
        session.add(account)
        session.commit()
    return login(api, Person(email, PASSWORD))


#: Callers that open no wallet, and the answer each gets on every wallet route.
#: 401: not a session at all; 403: a signed-in session of an account that has no wallet.
OUTSIDERS = {
    "no token": 401,
    "garbage": 401,
    "issuer API token": 401,
    "credential as token": 401,
    "staff session": 403,
    "operator session": 403,
}


@pytest.mark.parametrize("outsider", list(OUTSIDERS))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_issuer_tokens_and_staff_open_no_wallet(api, accounts_world, pair, endpoint, outsider):
    headers = {
        "no token": {},
        "garbage": {"Authorization": "Bearer a.b.c"},
        "issuer API token": issuer_auth(accounts_world),
        "credential as token": {"Authorization": f"Bearer {pair.importable}"},
    }.get(outsider)
    if headers is None:
        role = outsider.split()[0]
        headers = staff_like(api, accounts_world, f"{role}@uni.example.lv", role).auth
    before = b_state(api, pair)
    response = call(api, pair, endpoint, headers, pair.b_ids[0])
    assert response.status_code == OUTSIDERS[outsider], response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert pair.b_tokens[pair.b_ids[0]] not in response.text
    assert b_state(api, pair) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_deleted_accounts_token_is_refused_at_once(api, pair, endpoint):
    gone = api.post("/account/delete", json={"password": PASSWORD}, headers=pair.a.auth)
    assert gone.status_code == 204, gone.text
    response = call(api, pair, endpoint, pair.a.auth, pair.a_ids[0])
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert b_state(api, pair)[1] == pair.b_tokens


# --- OpenAPI ---------------------------------------------------------------------------------


def _resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_wallet_endpoints_are_in_the_openapi_schema_with_examples(api):
    spec = api.get("/openapi.json").json()
    paths = {path.split("?", 1)[0].replace("{id}", "{item_id}") for _, path, _ in ENDPOINTS}
    for path in paths:
        assert path in spec["paths"], path
        for method, operation in spec["paths"][path].items():
            where = f"{method} {path}"
            assert operation.get("summary"), where
            assert operation["tags"] == ["wallet"], where
            body = operation.get("requestBody")
            if body is not None:
                for media, content in body["content"].items():
                    schema = _resolve(spec, content["schema"])
                    example = content.get("example") or schema.get("examples")
                    assert example, f"{where} {media}: request has no example"
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    schema = _resolve(spec, content.get("schema", {}))
                    has_example = bool(content.get("example") or schema.get("examples"))
                    binary = schema.get("format") == "binary"
                    assert has_example or binary, f"{where} {status} {media}: no example"
            assert {"401", "403"} <= set(operation["responses"]), where


def test_a_credential_file_uploads_as_it_was_received(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "uploader@example.lv"))
    token = accounts_world.issue("uni", "course-certificate")
    uploaded = api.post(
        "/wallet/credentials/upload",
        content=(token + "\n").encode(),
        headers={**person.auth, "Content-Type": "application/vc+jwt"},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["trust"] == "verified"
    raw = api.get(f"/wallet/credentials/{uploaded.json()['id']}/raw", headers=person.auth)
    assert raw.text == token
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    as_json = api.post(
        "/wallet/credentials/upload",
        content=json.dumps(enveloped).encode(),
        headers={**person.auth, "Content-Type": "application/json"},
    )  # fmt: skip
    assert as_json.status_code == 201, as_json.text
    wrong_type = api.post(
        "/wallet/credentials/upload",
        content=b"\x89PNG",
        headers={**person.auth, "Content-Type": "image/png"},
    )
    assert wrong_type.status_code == 415
    not_utf8 = api.post(
        "/wallet/credentials/upload",
        content=b"\xff\xfe",
        headers={**person.auth, "Content-Type": "text/plain"},
    )
    assert not_utf8.status_code == 400
    assert len(listing(api, person)) == 2
