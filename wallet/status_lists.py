"""Our own status lists in memory: each process's view of the database, at most a second old.

DESIGN §4: the status of credentials issued here comes from the database, and verification
reads nothing from it per credential. :class:`OwnStatusLists` re-reads the lists' versions
(one small query) when its snapshot is ``interval`` seconds old (0 = on every call), and
re-reads the states of a list only when its version moved. A list is kept as the few
entries that are not valid (index → state), so a lookup costs one dict access whatever the
list's size, 131,072 or 10,000,000 entries. Snapshots are replaced whole: a reader never
sees a half-built one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from sqlalchemy.engine import Engine
from sqlmodel import Session

from wallet.db import status_crud


class ListState(NamedTuple):
    """One list at one version: whose, how long, and the entries that are not valid."""

    issuer_slug: str
    size: int
    version: int
    #: index → 1 (revoked) or 2 (suspended); an index not here is valid.
    states: Mapping[int, int]


class _Snapshot(NamedTuple):
    lists: Mapping[int, ListState]
    taken_at: float


class OwnStatusLists:
    """Every status list of our issuers, as of at most ``interval`` seconds ago.

    :param clock: a monotonic clock in seconds (injected so tests can move it).
    """

    def __init__(self, engine: Engine, *, interval: float, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._interval = interval
        self._clock = clock
        self._snapshot = _Snapshot(lists={}, taken_at=float("-inf"))
        #: How many times the versions were read (benchmarks and tests count them).
        self.version_reads = 0

    def get(self, list_id: int) -> ListState | None:
        """The list ``list_id`` as of the current snapshot, or None when there is none.

        A list the snapshot does not know yet (opened since, maybe by another process) is
        looked for once more with a fresh read: only credentials whose issuer signature
        verified get here, so this cannot be used to make the service read at will.
        """
        snapshot = self._snapshot
        if self._clock() - snapshot.taken_at >= self._interval:
            return self.refresh().lists.get(list_id)
        found = snapshot.lists.get(list_id)
        if found is None:
            found = self.refresh().lists.get(list_id)
        return found

    def refresh(self) -> _Snapshot:
        """Re-read the versions now, and the states of the lists whose version moved."""
        taken_at = self._clock()
        known = self._snapshot.lists
        with Session(self._engine) as session:
            versions = status_crud.list_versions(session)
            moved = [
                row.id
                for row in versions
                if row.id not in known or known[row.id].version != row.version
            ]
            states = status_crud.changed_states(session, list_ids=moved)
        self.version_reads += 1
        lists = {
            row.id: ListState(row.issuer_slug, row.size, row.version, states[row.id])
            if row.id in states
            else known[row.id]
            for row in versions
        }
        snapshot = _Snapshot(lists=lists, taken_at=taken_at)
        self._snapshot = snapshot
        return snapshot


class TransactionStatusLists:
    """The lists as one transaction sees them, its own uncommitted changes included.

    For verifying inside the transaction that issued the credential (a learner's wallet
    checks what it receives before the batch commits), where a list opened by this batch
    is not visible to other connections yet. Each list is read once per instance.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._lists: dict[int, ListState | None] = {}

    def get(self, list_id: int) -> ListState | None:
        """The list ``list_id`` as this transaction sees it, or None."""
        if list_id not in self._lists:
            row = status_crud.list_version(self._session, list_id=list_id)
            states = status_crud.changed_states(self._session, list_ids=[list_id])
            self._lists[list_id] = (
                None if row is None
                else ListState(row.issuer_slug, row.size, row.version, states[list_id])
            )  # fmt: skip
        return self._lists[list_id]
