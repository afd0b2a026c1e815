"""Batches: all or nothing, dry runs, idempotency, corrections, batch revocation, delivery."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.batches.helpers import diploma_row, jsonl, personal_code, run_batch
from tests.conftest import NOW
from tests.factories import World, make_world
from wallet import batches
from wallet.db.models import (
    AuditEvent,
    CredentialRecord,
    DeliveryOutbox,
    HolderWallet,
    IssuanceBatch,
    StatusList,
    WalletItem,
)
from wallet.jose import parse_compact
from wallet.revocation import Action
from wallet.verifier import verify_credential


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


def rows_of(world: World, model) -> list:
    with world.services.session() as session:
        return list(session.exec(select(model)).all())


def test_a_batch_issues_every_row_and_delivers_after_its_commit(world):
    batch = run_batch(world, jsonl([diploma_row(world, n) for n in range(3)]))

    assert (batch.state, batch.issued, batch.skipped, batch.total, batch.done) == (
        "issued", 3, 0, 3, 3,
    )  # fmt: skip
    records = rows_of(world, CredentialRecord)
    assert sorted(r.external_id for r in records) == ["S-0", "S-1", "S-2"]
    assert {r.batch_id for r in records} == {batch.id}
    assert len({(r.status_list_id, r.status_index) for r in records}) == 3
    # Delivery waits in the outbox until after the commit.
    assert len(rows_of(world, DeliveryOutbox)) == 3
    assert rows_of(world, WalletItem) == []

    assert world.services.deliver_pending() == 3
    assert rows_of(world, DeliveryOutbox) == []
    items = rows_of(world, WalletItem)
    assert len(items) == 3 and all(item.verified for item in items)
    assert len(rows_of(world, HolderWallet)) == 3  # pending wallets, one per learner
    report = batches.report_entries(batch)
    assert [e.outcome for e in report] == ["issued"] * 3
    assert {e.credential_id for e in report} == {r.id for r in records}


def test_one_refused_row_refuses_the_whole_batch_and_every_refusal_is_reported(world):
    rows = [diploma_row(world, n) for n in range(4)]
    del rows[1]["credentialSubject"]["givenName"]
    rows[3]["learner"] = {"personalCode": "320000-00000"}  # wrong check digit

    batch = run_batch(world, jsonl(rows))

    assert batch.state == "refused"
    assert rows_of(world, CredentialRecord) == []
    assert rows_of(world, HolderWallet) == []
    assert rows_of(world, StatusList) == []
    refused = [e for e in batches.report_entries(batch) if e.outcome == "refused"]
    assert {e.locator for e in refused} == {"line 2", "line 4"}
    assert {e.field for e in refused} >= {"personalCode"}
    assert all(e.reason for e in refused)


def test_a_dry_run_reports_and_changes_nothing(world):
    batch = run_batch(world, jsonl([diploma_row(world, n) for n in range(2)]), dry_run=True)

    assert (batch.state, batch.issued) == ("checked", 2)
    assert [e.outcome for e in batches.report_entries(batch)] == ["valid", "valid"]
    assert rows_of(world, CredentialRecord) == []
    assert rows_of(world, HolderWallet) == []
    assert rows_of(world, StatusList) == []
    # The same file then runs for real under the same key.
    real = run_batch(world, jsonl([diploma_row(world, n) for n in range(2)]))
    assert (real.id, real.state, real.issued) == (batch.id, "issued", 2)


def test_resubmitting_an_issued_batch_returns_it_and_its_rows_are_skipped_in_another(world):
    data = jsonl([diploma_row(world, n) for n in range(3)])
    first = run_batch(world, data)
    again = run_batch(world, data)
    assert (again.id, again.state, again.issued) == (first.id, "issued", 3)

    more = run_batch(world, jsonl([diploma_row(world, n) for n in range(4)]))
    assert (more.state, more.issued, more.skipped) == ("issued", 1, 3)
    assert len(rows_of(world, CredentialRecord)) == 4
    outcomes = {e.external_id: e.outcome for e in batches.report_entries(more)}
    assert outcomes == {"S-0": "skipped", "S-1": "skipped", "S-2": "skipped", "S-3": "issued"}


def test_another_file_under_the_key_of_an_issued_batch_is_a_conflict(world):
    from wallet.errors import ConflictError

    run_batch(world, jsonl([diploma_row(world, 1)]), idempotency_key="cohort-2026")
    with pytest.raises(ConflictError, match="another batch file"):
        run_batch(world, jsonl([diploma_row(world, 2)]), idempotency_key="cohort-2026")


def test_a_changed_row_under_an_issued_external_id_is_refused_and_points_to_corrections(world):
    run_batch(world, jsonl([diploma_row(world, 1)]))
    changed = diploma_row(world, 1)
    changed["credentialSubject"]["familyName"] = "Kalniņš"

    batch = run_batch(world, jsonl([changed, diploma_row(world, 2)]))

    assert batch.state == "refused"
    (refusal,) = [e for e in batches.report_entries(batch) if e.outcome == "refused"]
    assert refusal.external_id == "S-1" and "replaces" in refusal.reason
    assert len(rows_of(world, CredentialRecord)) == 1


def test_a_correction_revokes_the_old_credential_as_superseded_in_the_same_batch(world):
    run_batch(world, jsonl([diploma_row(world, 1)]))
    world.services.deliver_pending()
    (old,) = rows_of(world, CredentialRecord)
    old_token = next(iter(rows_of(world, WalletItem)))
    fixed = diploma_row(world, 1, externalId="S-1-fixed", replaces="S-1")
    fixed["credentialSubject"]["familyName"] = "Kalniņš"

    batch = run_batch(world, jsonl([fixed]))

    assert batch.state == "issued"
    records = {r.external_id: r for r in rows_of(world, CredentialRecord)}
    assert records["S-1"].status == 1  # revoked
    assert records["S-1"].replaced_by == records["S-1-fixed"].id
    assert records["S-1-fixed"].replaces == records["S-1"].id
    assert records["S-1-fixed"].status == 0
    (audit,) = [
        e for e in rows_of(world, AuditEvent)
        if e.action == "credential.revoke" and e.target == old.id
    ]  # fmt: skip
    assert "superseded" in audit.detail
    assert old_token is not None
    # A second correction of the same old credential is refused.
    again = diploma_row(world, 1, externalId="S-1-fixed-2", replaces="S-1")
    refused = run_batch(world, jsonl([again]))
    assert refused.state == "refused"
    assert "revoked" in batches.report_entries(refused)[0].reason


def test_the_old_credential_no_longer_verifies_after_a_correction(world):
    run_batch(world, jsonl([diploma_row(world, 1)]))
    world.services.deliver_pending()
    services = world.services
    with services.session() as session:
        (item,) = session.exec(select(WalletItem)).all()
    from wallet import holder

    wallet_token = None
    with services.session() as session:
        wallet = session.get(HolderWallet, item.wallet_id)
        assert wallet is not None
        # The delivered token is sealed in the wallet; the record's envelope is the same JWS.
        from wallet.db import crud

        (envelope,) = crud.get_envelopes(session, credential_id=item.record_id)
        wallet_token = envelope.token
    assert verify_credential(wallet_token, ctx=services.verification, now=services.now()).verified
    fixed = diploma_row(world, 1, externalId="S-1b", replaces="S-1")
    fixed["credentialSubject"]["familyName"] = "Kalniņš"
    run_batch(world, jsonl([fixed]))
    report = verify_credential(wallet_token, ctx=services.verification, now=services.now())
    assert not report.verified
    assert any(p.code == "REVOKED" for p in report.problems)
    assert holder is not None


def test_both_formats_give_each_row_two_envelopes_on_one_status_slot(world):
    batch = run_batch(world, jsonl([diploma_row(world, n) for n in range(2)]), formats="both")

    assert (batch.state, batch.issued, batch.total) == ("issued", 2, 4)
    assert len(rows_of(world, CredentialRecord)) == 2
    assert world.services.deliver_pending() == 4
    formats = sorted(item.format for item in rows_of(world, WalletItem))
    assert formats == ["dc+sd-jwt", "dc+sd-jwt", "vc+jwt", "vc+jwt"]


def test_batch_revocation_revokes_every_credential_of_the_batch_with_its_reason(world):
    batch = run_batch(world, jsonl([diploma_row(world, n) for n in range(3)]))
    other = run_batch(world, jsonl([diploma_row(world, 9)]))
    services = world.services
    with services.session() as session:
        counts = batches.change_batch_status(
            session, issuer_slug="uni", batch_id=batch.id, action=Action.SUSPEND,
            reason="exam under review", actor="test", now=services.now(),
        )  # fmt: skip
        session.commit()
    assert counts == {"changed": 3, "unchanged": 0, "revoked": 0}
    status = {r.external_id: r.status for r in rows_of(world, CredentialRecord)}
    assert status == {"S-0": 2, "S-1": 2, "S-2": 2, "S-9": 0}
    with services.session() as session:
        counts = batches.change_batch_status(
            session, issuer_slug="uni", batch_id=batch.id, action=Action.REVOKE,
            reason="exam annulled", actor="test", now=services.now(),
        )  # fmt: skip
        session.commit()
    assert counts["changed"] == 3
    audits = [e for e in rows_of(world, AuditEvent) if e.action == "credential.revoke"]
    assert len(audits) == 3 and all("exam annulled" in e.detail for e in audits)
    assert any(
        e.action == "batch.revoke" and e.target == batch.id for e in rows_of(world, AuditEvent)
    )
    assert other.state == "issued"


def test_another_institution_cannot_revoke_a_batch(world):
    from wallet.errors import NotFoundError

    batch = run_batch(world, jsonl([diploma_row(world, 1)]))
    with world.services.session() as session, pytest.raises(NotFoundError):
        batches.change_batch_status(
            session, issuer_slug="school", batch_id=batch.id, action=Action.REVOKE,
            reason="not ours", actor="test", now=NOW,
        )  # fmt: skip


def test_a_learner_with_a_wallet_gets_the_credential_in_it_and_email_only_learners_wait(world):
    existing = run_batch(world, jsonl([diploma_row(world, 1)]))
    assert existing.state == "issued"
    rows = [
        diploma_row(world, 1, externalId="S-1-course"),
        diploma_row(world, 2, learner={"email": "anna@example.lv"}),
    ]
    rows[0]["credentialSubject"]["achievement"]["title"] = {"lv": "Otrais", "en": "Second"}
    run_batch(world, jsonl(rows))
    world.services.deliver_pending()
    wallets = rows_of(world, HolderWallet)
    assert len(wallets) == 2  # the personal code's wallet was found, not made again
    by_wallet = {}
    for item in rows_of(world, WalletItem):
        by_wallet.setdefault(item.wallet_id, []).append(item)
    assert sorted(len(v) for v in by_wallet.values()) == [1, 2]
    assert all(w.account_id is None for w in wallets)  # pending until the learner registers


def test_a_row_without_a_learner_is_recorded_but_delivered_nowhere(world):
    batch = run_batch(world, jsonl([diploma_row(world, 1, learner={})]))
    assert batch.state == "issued"
    assert rows_of(world, DeliveryOutbox) == []


def test_duplicate_external_ids_in_one_file_are_refused(world):
    batch = run_batch(world, jsonl([diploma_row(world, 1), diploma_row(world, 1)]))
    assert batch.state == "refused"
    (refusal,) = [e for e in batches.report_entries(batch) if e.outcome == "refused"]
    assert refusal.locator == "line 2" and refusal.field == "externalId"


def test_a_type_the_institution_is_not_accredited_for_is_refused_per_row(settings, engine):
    from tests.factories import make_issuer_dir

    make_issuer_dir(settings.issuers_dir, "uni", types=["course-certificate"])
    world = make_world(settings, engine, now=NOW)
    batch = run_batch(world, jsonl([diploma_row(world, 1)]))
    assert batch.state == "refused"
    (refusal,) = batches.report_entries(batch)
    assert refusal.field == "type" and "diploma" in refusal.reason


def test_the_signing_time_is_the_batch_time_and_every_credential_verifies(world):
    run_batch(world, jsonl([diploma_row(world, n) for n in range(3)]))
    services = world.services
    from wallet.db import crud

    with services.session() as session:
        for record in session.exec(select(CredentialRecord)).all():
            (envelope,) = crud.get_envelopes(session, credential_id=record.id)
            assert parse_compact(envelope.token).payload["iat"] == NOW
            report = verify_credential(envelope.token, ctx=services.verification, now=NOW)
            assert report.verified, report.problems


def test_personal_codes_never_reach_the_signed_credential(world):
    run_batch(world, jsonl([diploma_row(world, 5)]))
    from wallet.db import crud

    with world.services.session() as session:
        (record,) = session.exec(select(CredentialRecord)).all()
        (envelope,) = crud.get_envelopes(session, credential_id=record.id)
    payload = parse_compact(envelope.token).payload
    digits = personal_code(5).replace("-", "")
    assert digits not in str(payload) and personal_code(5) not in str(payload)
    assert record.learner_hash and digits not in record.learner_hash


def test_the_batch_row_is_listed_for_its_institution_only(world):
    batch = run_batch(world, jsonl([diploma_row(world, 1)]))
    from wallet.db import batch_crud

    with world.services.session() as session:
        assert [b.id for b in batch_crud.latest(session, issuer_slug="uni", limit=5)] == [batch.id]
        assert batch_crud.latest(session, issuer_slug="school", limit=5) == []
        assert batch_crud.get(session, issuer_slug="school", batch_id=batch.id) is None
    assert isinstance(batch, IssuanceBatch)


def test_a_row_that_cannot_be_delivered_does_not_hold_back_the_rows_after_it(world):
    from wallet import delivery
    from wallet.db import delivery_crud

    services = world.services
    run_batch(world, jsonl([diploma_row(world, 1)]))
    assert services.deliver_pending() == 1
    (wallet,) = rows_of(world, HolderWallet)
    with services.session() as session:
        broken = delivery.outbox_row(
            services.holder, wallet_id=wallet.id, credential_id="urn:uuid:no-such-record",
            format="vc+jwt", issuer_slug="uni", type_name="diploma", title=None, email=None,
            tail="", now=NOW,
        )  # fmt: skip
        delivery_crud.insert_outbox(session, rows=[broken])
        session.commit()
    run_batch(world, jsonl([diploma_row(world, 2)]))

    delivered = delivery.drain(
        services.session, ctx=services.holder, base_url=services.settings.base_url,
        clock=services.now, chunk=1,
    )  # fmt: skip

    assert delivered == 1  # the batch's row, behind the broken one
    (left,) = rows_of(world, DeliveryOutbox)
    assert left.credential_id == "urn:uuid:no-such-record"
    assert left.attempts == delivery_crud.MAX_ATTEMPTS  # given up on, left for an operator
    assert len(rows_of(world, WalletItem)) == 2


@pytest.mark.parametrize("external_id", ["S-1", "Jānis/2026", "x" * 200])
def test_a_rows_credential_id_is_the_uuid5_of_institution_and_external_id(external_id):
    import uuid

    from wallet.batches import _ID_NAMESPACE, credential_id_for

    expected = uuid.uuid5(_ID_NAMESPACE, "uni\n" + external_id)
    assert credential_id_for("uni", external_id) == f"urn:uuid:{expected}"
    assert credential_id_for("school", external_id) != credential_id_for("uni", external_id)
