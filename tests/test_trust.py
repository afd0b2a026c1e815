"""wallet.trust: the registry files, accreditation at signing time, key windows, KeyHistory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.conftest import NOW, REPO
from wallet.db import crud
from wallet.db.engine import make_engine
from wallet.db.models import IssuerKey
from wallet.errors import (
    ConflictError,
    InputError,
    KeyValidityError,
    NotFoundError,
    TrustError,
    UnknownIssuerError,
    UnknownKeyError,
)
from wallet.jose import generate_signing_key
from wallet.trust import KeyHistory, KeyRecord, Registry, load_registry, scaffold_entry

BASE = "https://wallet.test"
DAY = 86400
JAN_2020 = 1577836800
JAN_2024 = 1704067200


def entry(slug: str, **extra) -> dict:
    data = {
        "slug": slug,
        "name": {"lv": "Skola", "en": "School"},
        "registrationNumber": "3313900123",
        "legalRegistrationNumber": "90000012345",
        "country": "LV",
        "accreditation": [
            {
                "types": ["diploma"],
                "validFrom": "2020-01-01",
                "validUntil": "2023-12-31",
                "decision": "IKVD 2020/1",
            }
        ],
        "types": ["diploma", "course-certificate"],
        "demo": False,
    }
    data.update(extra)
    return data


def write(issuers: Path, data: dict, slug: str | None = None) -> Path:
    folder = issuers / (slug or data["slug"])
    folder.mkdir(parents=True)
    path = folder / "issuer.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_repository_demo_entries_load_in_demo_mode_only():
    demo = load_registry(REPO / "issuers", base_url=BASE, demo=True)
    university = demo.by_slug("demo-university")
    assert university.names["lv"] == "Demo universitāte"
    assert university.types == {"diploma", "micro-credential", "course-certificate", "generic"}
    university.check_accredited("diploma", NOW)
    demo.by_slug("demo-vocational-school").check_accredited("qualification", NOW)
    with pytest.raises(TrustError):
        demo.by_slug("demo-vocational-school").check_accredited("diploma", NOW)
    production = load_registry(REPO / "issuers", base_url=BASE, demo=False)
    with pytest.raises(NotFoundError):
        production.by_slug("demo-university")


def test_registry_identifiers(tmp_path):
    write(tmp_path, entry("uni"))
    registry = load_registry(tmp_path, base_url="http://localhost:8000", demo=False)
    uni = registry.by_slug("uni")
    assert uni.did == "did:web:localhost%3A8000:issuers:uni"
    assert uni.https_id == "http://localhost:8000/issuers/uni"
    assert uni.legal_registration_number == "90000012345"
    assert registry.by_identifier(uni.did) is uni
    assert registry.by_identifier(uni.https_id) is uni
    with pytest.raises(UnknownIssuerError):
        registry.by_identifier("did:web:evil.test:issuers:uni")
    with pytest.raises(NotFoundError):
        registry.by_slug("nope")


def test_accreditation_is_judged_at_signing_time(tmp_path):
    write(tmp_path, entry("uni"))
    uni = load_registry(tmp_path, base_url=BASE, demo=False).by_slug("uni")
    uni.check_accredited("diploma", JAN_2020)
    # validUntil is a date: it covers its whole day (UTC).
    uni.check_accredited("diploma", JAN_2024 - 1)
    # Signed while accredited: still fine to verify now, after the accreditation ended
    # (the caller passes the signing time, not the verification time).
    with pytest.raises(TrustError):
        uni.check_accredited("diploma", JAN_2024)
    with pytest.raises(TrustError):
        uni.check_accredited("diploma", JAN_2020 - 1)
    # A type it may issue but holds no accreditation for.
    with pytest.raises(TrustError):
        uni.check_accredited("course-certificate", JAN_2020 + DAY)
    with pytest.raises(TrustError):
        uni.check_accredited("qualification", JAN_2020 + DAY)


def test_external_issuer_with_published_keys(tmp_path):
    old = generate_signing_key("EdDSA").public
    new = generate_signing_key("ES256").public
    data = entry(
        "partner",
        external=True,
        did="did:web:partner.example",
        iss="https://partner.example",
        keys=[
            {"kid": "old", "jwk": dict(old.members), "validFrom": "2020-01-01",
             "validUntil": "2022-12-31", "compromisedSince": None},
            {"kid": "new", "jwk": dict(new.members), "validFrom": "2023-01-01T00:00:00Z"},
        ],
    )  # fmt: skip
    write(tmp_path, data)
    registry = load_registry(tmp_path, base_url=BASE, demo=False)
    partner = registry.by_identifier("https://partner.example")
    assert partner.external and partner.did == "did:web:partner.example"
    assert {k.kid: k.state for k in partner.keys} == {"old": "retired", "new": "current"}
    assert {k.kid: k.alg for k in partner.keys} == {"old": "EdDSA", "new": "ES256"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "other"}, "slug"),
        ({"name": {"lv": "Tikai latviski"}}, "name"),
        ({"legalRegistrationNumber": "123"}, "legalRegistrationNumber"),
        ({"types": "diploma"}, "types"),
        ({"accreditation": [{"types": ["qualification"], "validFrom": "2020-01-01",
                             "validUntil": None, "decision": "x"}]}, "accreditation"),
        ({"accreditation": [{"types": ["diploma"], "validFrom": "1.1.2020",
                             "validUntil": None, "decision": "x"}]}, "validFrom"),
        ({"did": "did:web:x"}, "external"),
        ({"colour": "blue"}, "unknown"),
        ({"external": True}, "did and/or iss"),
        ({"external": True, "did": "did:web:x", "keys": [{"kid": "k", "validFrom": "2020-01-01",
          "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43}}]}, "keys"),
    ],
    ids=["slug", "name", "legal-number", "types", "accreditation-type", "date",
         "did-on-own", "unknown-member", "external-without-id", "small-order-key"],
)  # fmt: skip
def test_malformed_entry_names_the_file(tmp_path, change, message):
    data = entry("uni")
    data.update(change)
    path = write(tmp_path, data, slug="uni")
    with pytest.raises(InputError) as info:
        load_registry(tmp_path, base_url=BASE, demo=False)
    assert str(path) in info.value.description
    assert message in info.value.description


def test_duplicate_json_member_refused(tmp_path):
    (tmp_path / "uni").mkdir()
    (tmp_path / "uni" / "issuer.json").write_text('{"slug": "uni", "slug": "uni"}')
    with pytest.raises(InputError):
        load_registry(tmp_path, base_url=BASE, demo=False)


def test_scaffold_entry(tmp_path):
    path = scaffold_entry(tmp_path, "new-school", source=None, now=NOW)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["slug"] == "new-school"
    assert data["accreditation"][0]["validFrom"] == "2026-06-01"
    load_registry(tmp_path, base_url=BASE, demo=False).by_slug("new-school")
    with pytest.raises(ConflictError):
        scaffold_entry(tmp_path, "new-school", source=None, now=NOW)
    copied = scaffold_entry(tmp_path, "copy", source=entry("whatever"), now=NOW)
    assert json.loads(copied.read_text(encoding="utf-8"))["slug"] == "copy"
    for bad in ["A", "x", "../up", "a_b", "service", "a" * 65]:
        with pytest.raises(InputError):
            scaffold_entry(tmp_path, bad, source=None, now=NOW)
    with pytest.raises(InputError):
        scaffold_entry(tmp_path, "broken", source={"types": 1}, now=NOW)
    assert not (tmp_path / "broken").exists()


def make_record(**changes) -> KeyRecord:
    values = {
        "kid": "k", "issuer_slug": "uni", "alg": "EdDSA",
        "jwk": generate_signing_key("EdDSA").public, "state": "retired",
        "valid_from": 100, "valid_until": 200, "compromised_since": None,
    }  # fmt: skip
    values.update(changes)
    return KeyRecord(**values)


def test_key_usable_window():
    key = make_record()
    key.check_usable_at(100)
    key.check_usable_at(199)
    key.check_usable_at(200)  # the retirement second is inside the window
    for at in (99, 201, 10**6):
        with pytest.raises(KeyValidityError):
            key.check_usable_at(at)
    current = make_record(state="current", valid_until=None)
    current.check_usable_at(10**9)
    compromised = make_record(state="compromised", valid_until=None, compromised_since=150)
    compromised.check_usable_at(149)
    with pytest.raises(KeyValidityError):
        compromised.check_usable_at(150)


def add_key(engine, slug: str, *, state: str = "current", valid_from: int = NOW) -> IssuerKey:
    public = generate_signing_key("EdDSA").public
    row = IssuerKey(
        issuer_slug=slug,
        kid=f"did:web:wallet.test:issuers:{slug}#{public.thumbprint}",
        alg="EdDSA",
        public_jwk=json.dumps(dict(public.members)),
        state=state,
        valid_from=valid_from,
        created_at=valid_from,
    )
    with Session(engine) as session:
        crud.add_issuer_key(session, row=row)
        session.commit()
        session.refresh(row)
    return row


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_history_with_ttl_zero_sees_new_rows_at_once(engine, settings):
    first = add_key(engine, "uni", state="retired", valid_from=NOW - 100)
    history = KeyHistory(engine, Registry(issuers={}), ttl=0, clock=FakeClock())
    assert history.lookup("uni", first.kid).state == "retired"
    # A row written through another engine (another process) shows on the next call.
    other = make_engine(settings.database_url)
    second = add_key(other, "uni")
    other.dispose()
    assert history.lookup("uni", second.kid).valid_from == NOW
    assert [k.kid for k in history.keys_of("uni")] == [first.kid, second.kid]
    assert history.keys_of("nobody") == []


def test_kid_of_another_issuer_is_unknown(engine):
    school_key = add_key(engine, "school")
    history = KeyHistory(engine, Registry(issuers={}), ttl=0, clock=FakeClock())
    history.lookup("school", school_key.kid)
    with pytest.raises(UnknownKeyError):
        history.lookup("uni", school_key.kid)
    with pytest.raises(UnknownKeyError):
        history.lookup("school", "did:web:wallet.test:issuers:school#nope")


def test_key_history_ttl_with_fake_clock(engine, monkeypatch):
    first = add_key(engine, "uni")
    clock = FakeClock()
    history = KeyHistory(engine, Registry(issuers={}), ttl=1.0, clock=clock)
    calls = []
    original = crud.all_keys
    monkeypatch.setattr(crud, "all_keys", lambda session: calls.append(1) or original(session))
    history.lookup("uni", first.kid)
    assert len(calls) == 1
    # Within the ttl: no database access at all, even for an unknown kid.
    second = add_key(engine, "other")
    clock.now += 0.5
    for _ in range(100):
        history.lookup("uni", first.kid)
    with pytest.raises(UnknownKeyError):
        history.lookup("other", second.kid)
    assert len(calls) == 1
    # After the ttl the table is read again and the new key appears.
    clock.now += 0.6
    assert history.lookup("other", second.kid).kid == second.kid
    assert len(calls) == 2


def test_key_history_includes_external_registry_keys(engine, tmp_path):
    public = generate_signing_key("EdDSA").public
    write(
        tmp_path,
        entry("partner", external=True, iss="https://partner.example",
              keys=[{"kid": "p1", "jwk": dict(public.members), "validFrom": "2020-01-01",
                     "compromisedSince": "2025-01-01"}]),
    )  # fmt: skip
    registry = load_registry(tmp_path, base_url=BASE, demo=False)
    history = KeyHistory(engine, registry, ttl=0, clock=FakeClock())
    key = history.lookup("partner", "p1")
    assert key.state == "compromised" and key.jwk.members == public.members
    key.check_usable_at(JAN_2024)
    with pytest.raises(KeyValidityError):
        key.check_usable_at(NOW)
