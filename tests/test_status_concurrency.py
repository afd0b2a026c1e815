"""Parallel writers of status: nothing is lost, no index is handed out twice.

Runs on the suite's database: SQLite here, PostgreSQL in ``.ci/run`` as well. Each thread
has its own session (its own connection), as request handlers do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import select

from tests.conftest import NOW
from tests.factories import make_world
from wallet.db.models import AuditEvent, CredentialRecord, StatusList
from wallet.issuance import IssueRequest, build_credential, issue_batch
from wallet.jose import parse_compact
from wallet.revocation import Action, change_status

THREADS = 6


def _parallel(work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            work(n)
        except BaseException as exc:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not errors, errors


def _requests(world, count: int) -> list[IssueRequest]:
    services = world.services
    ctype = services.types.get("course-certificate")
    credential = build_credential(
        ctype, ctype.example, issuer_did=services.registry.by_slug("uni").did
    )
    return [IssueRequest(credential=credential) for _ in range(count)]


def test_parallel_issuance_never_hands_out_an_index_twice(settings, engine):
    world = make_world(settings, engine, now=NOW)
    services = world.services
    issuer = services.registry.by_slug("uni")
    tokens: list[str] = []
    lock = threading.Lock()

    def issue(_: int) -> None:
        for _round in range(3):
            with services.session() as session:
                issued = issue_batch(
                    session, ctx=services.issuance, issuer=issuer,
                    requests=_requests(world, 4), now=NOW,
                )  # fmt: skip
                session.commit()
            with lock:
                tokens.extend(item.token for item in issued)

    _parallel(issue)
    slots = {
        (entry["statusListCredential"], entry["statusListIndex"])
        for token in tokens
        for entry in parse_compact(token).payload["credentialStatus"][:1]
    }
    assert len(tokens) == THREADS * 3 * 4
    assert len(slots) == len(tokens)
    with services.session() as session:
        lists = session.exec(select(StatusList)).all()
        records = session.exec(select(CredentialRecord)).all()
    # Writers that find no list with room each open one, so the first parallel batches may
    # open a few lists (harmless: positions come from whichever has room, lowest id first).
    assert 1 <= len(lists) <= THREADS
    assert sum(row.allocated for row in lists) == len(tokens)
    assert len({(r.status_list_id, r.status_index) for r in records}) == len(tokens)


def test_parallel_status_changes_lose_nothing(settings, engine):
    world = make_world(settings, engine, now=NOW)
    services = world.services
    issuer = services.registry.by_slug("uni")
    per_thread = 4
    with services.session() as session:
        issued = issue_batch(
            session, ctx=services.issuance, issuer=issuer,
            requests=_requests(world, THREADS * per_thread + 1), now=NOW,
        )  # fmt: skip
        session.commit()
    ids = [item.credential_id for item in issued]
    shared = ids[-1]

    def change(n: int) -> None:
        mine = ids[n * per_thread : (n + 1) * per_thread]
        for position, credential_id in enumerate(mine):
            action = Action.REVOKE if position % 2 == 0 else Action.SUSPEND
            with services.session() as session:
                change_status(
                    session, issuer_slug="uni", credential_id=credential_id, action=action,
                    reason=f"thread {n}", actor=f"test:{n}", now=NOW + 1,
                )  # fmt: skip
                session.commit()
            # Everyone suspends and lifts the shared record too: the last word must hold.
            with services.session() as session:
                change_status(
                    session, issuer_slug="uni", credential_id=shared,
                    action=Action.SUSPEND if n % 2 else Action.UNSUSPEND,
                    reason="shared", actor=f"test:{n}", now=NOW + 1,
                )  # fmt: skip
                session.commit()

    _parallel(change)
    with services.session() as session:
        records = {r.id: r for r in session.exec(select(CredentialRecord)).all()}
        (status_list,) = session.exec(select(StatusList)).all()
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.action.in_(  # type: ignore[attr-defined]
                    ["credential.revoke", "credential.suspend", "credential.unsuspend"]
                )
            )
        ).all()
    for n in range(THREADS):
        for position, credential_id in enumerate(ids[n * per_thread : (n + 1) * per_thread]):
            assert records[credential_id].status == (1 if position % 2 == 0 else 2)
    own = [e for e in events if e.target != shared]
    assert len(own) == THREADS * per_thread
    # Every change (own and shared) moved the version on exactly once.
    assert status_list.version == len(events)
    # The shared record ends in the state its last audited change left.
    last = max((e for e in events if e.target == shared), key=lambda e: e.id)
    assert records[shared].status == (2 if last.action == "credential.suspend" else 0)
    # Every process's view (here: a fresh one) agrees with the records.
    state = services.own_status_lists.get(status_list.id)
    assert state is not None
    assert state.states == {r.status_index: r.status for r in records.values() if r.status != 0}
