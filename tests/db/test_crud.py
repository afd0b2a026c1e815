"""wallet.db.crud on the test database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from wallet.db import crud
from wallet.db.models import IssuerKey
from wallet.errors import ConflictError, NotFoundError

NOW = 1780272000


def key_row(slug: str, kid: str, state: str = "current", valid_from: int = NOW) -> IssuerKey:
    return IssuerKey(
        issuer_slug=slug,
        kid=kid,
        alg="EdDSA",
        public_jwk="{}",
        state=state,
        valid_from=valid_from,
        created_at=valid_from,
    )


def record(i: int, *, issuer: str = "uni", type_name: str = "diploma", title: str | None = None):
    return {
        "id": f"urn:uuid:rec-{i:04d}",
        "issuer_slug": issuer,
        "type_name": type_name,
        "title": title or f"Record {i}",
        "content_hash": f"h{i}",
        "learner_hash": None,
        "learner_email_hash": None,
        "batch_id": "b1",
        "created_at": NOW + i,
    }


def envelope(i: int, fmt: str = "vc+jwt"):
    return {
        "credential_id": f"urn:uuid:rec-{i:04d}",
        "format": fmt,
        "kid": "k",
        "iat": NOW + i,
        "token": f"token-{i}-{fmt}",
    }


def test_keys(engine):
    with Session(engine) as session:
        crud.add_issuer_key(session, row=key_row("uni", "a", "retired", NOW - 10))
        crud.add_issuer_key(session, row=key_row("uni", "b"))
        crud.add_issuer_key(session, row=key_row("school", "c"))
        session.commit()
    with Session(engine) as session:
        current = crud.current_key(session, issuer_slug="uni")
        assert current is not None and current.kid == "b"
        assert [k.kid for k in crud.keys_of(session, issuer_slug="uni")] == ["a", "b"]
        assert {k.kid for k in crud.all_keys(session)} == {"a", "b", "c"}
        assert crud.get_key(session, kid="c").issuer_slug == "school"
        assert crud.current_key(session, issuer_slug="nobody") is None
        with pytest.raises(NotFoundError):
            crud.get_key(session, kid="zzz")


def test_duplicate_kid_and_second_current_key_are_conflicts(engine):
    with Session(engine) as session:
        crud.add_issuer_key(session, row=key_row("uni", "a"))
        session.commit()
    with Session(engine) as session, pytest.raises(ConflictError):
        crud.add_issuer_key(session, row=key_row("other", "a", "retired"))
    with Session(engine) as session, pytest.raises(ConflictError):
        crud.add_issuer_key(session, row=key_row("uni", "b"))


def test_api_tokens(engine):
    with Session(engine) as session:
        crud.create_api_token(session, issuer_slug="uni", name="ci", token_hash="h1", now=NOW)
        crud.create_api_token(session, issuer_slug="school", name="ci", token_hash="h2", now=NOW)
        session.commit()
    with Session(engine) as session:
        with pytest.raises(ConflictError):
            crud.create_api_token(session, issuer_slug="uni", name="ci", token_hash="h3", now=NOW)
    with Session(engine) as session:
        token = crud.find_active_token(session, token_hash="h1")
        assert token is not None and token.issuer_slug == "uni"
        revoked = crud.revoke_api_token(session, issuer_slug="uni", name="ci", now=NOW + 5)
        assert revoked.revoked_at == NOW + 5
        # Revoking again keeps the first date.
        again = crud.revoke_api_token(session, issuer_slug="uni", name="ci", now=NOW + 9)
        assert again.revoked_at == NOW + 5
        session.commit()
    with Session(engine) as session:
        assert crud.find_active_token(session, token_hash="h1") is None
        assert crud.active_tokens(session, issuer_slug="uni") == []
        assert [t.name for t in crud.active_tokens(session, issuer_slug="school")] == ["ci"]
        assert crud.find_active_token(session, token_hash="h2") is not None
        with pytest.raises(NotFoundError):
            crud.revoke_api_token(session, issuer_slug="uni", name="nope", now=NOW)
        # One issuer cannot revoke another's token by name.
        with pytest.raises(NotFoundError):
            crud.revoke_api_token(session, issuer_slug="third", name="ci", now=NOW)


def test_insert_issued_bulk_and_read_back(engine):
    records = [record(i) for i in range(1000)]
    envelopes = [envelope(i) for i in range(1000)] + [envelope(7, "dc+sd-jwt")]
    with Session(engine) as session:
        crud.insert_issued(session, records=records, envelopes=envelopes)
        session.commit()
    with Session(engine) as session:
        got = crud.get_record(session, credential_id="urn:uuid:rec-0007")
        assert got is not None and got.content_hash == "h7"
        assert [
            e.format for e in crud.get_envelopes(session, credential_id="urn:uuid:rec-0007")
        ] == [
            "vc+jwt",
            "dc+sd-jwt",
        ]
        assert crud.get_record(session, credential_id="missing") is None
        ids = [f"urn:uuid:rec-{i:04d}" for i in range(0, 1000, 3)] + ["missing"]
        found = crud.get_records(session, credential_ids=ids)
        assert set(found) == set(ids) - {"missing"}
        by_format = crud.get_envelopes_for(session, credential_ids=ids)
        assert len(by_format) == len(found)
        assert ("urn:uuid:rec-0999", "vc+jwt") in by_format
        assert crud.get_envelopes(session, credential_id="missing") == []


def test_insert_issued_is_all_or_nothing(engine):
    with Session(engine) as session:
        crud.insert_issued(session, records=[record(1)], envelopes=[envelope(1)])
        session.commit()
    with Session(engine) as session:
        with pytest.raises(ConflictError):
            crud.insert_issued(session, records=[record(2), record(1)], envelopes=[])
        session.rollback()
    with Session(engine) as session:
        assert crud.get_record(session, credential_id="urn:uuid:rec-0002") is None


def test_list_records(engine):
    records = [record(i) for i in range(5)]
    records.append(record(5, title="Bakalaura DIPLOMS 100%", type_name="qualification"))
    records.append(record(6, issuer="other"))
    with Session(engine) as session:
        crud.insert_issued(session, records=records, envelopes=[])
        session.commit()
    with Session(engine) as session:
        listed = crud.list_records(session, issuer_slug="uni")
        assert [r.id for r in listed] == [f"urn:uuid:rec-{i:04d}" for i in (5, 4, 3, 2, 1, 0)]
        assert [r.id for r in crud.list_records(session, issuer_slug="uni", limit=2, offset=1)] == [
            "urn:uuid:rec-0004",
            "urn:uuid:rec-0003",
        ]
        by_type = crud.list_records(session, issuer_slug="uni", type_name="qualification")
        assert [r.id for r in by_type] == ["urn:uuid:rec-0005"]
        assert [r.id for r in crud.list_records(session, issuer_slug="uni", query="diploms")] == [
            "urn:uuid:rec-0005"
        ]
        # Wildcards match themselves.
        assert len(crud.list_records(session, issuer_slug="uni", query="100%")) == 1
        assert crud.list_records(session, issuer_slug="uni", query="_") == []
        by_id = crud.list_records(session, issuer_slug="uni", query="REC-0003")
        assert [r.id for r in by_id] == ["urn:uuid:rec-0003"]


def test_audit(engine):
    with Session(engine) as session:
        event = crud.add_audit(
            session, at=NOW, actor="cli", action="key.rotate", target="uni", detail={"ā": 1}
        )
        session.commit()
        assert json.loads(event.detail) == {"ā": 1}
        assert event.id is not None
