"""The composition root: everything a process builds once from its settings.

The web app and the CLI build one :class:`Services` at start and pass it down; nothing
here is global. Tests build it from test settings and a test engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlmodel import Session

from wallet.access import token_hash_key
from wallet.config import Settings
from wallet.credential_types import TypeRegistry, load_types
from wallet.db.engine import make_engine
from wallet.issuance import IssuanceContext
from wallet.keystore import Keystore
from wallet.personal_code import learner_hash_key
from wallet.trust import KeyHistory, Registry, load_registry
from wallet.verifier import VerifierContext


@dataclass
class Services:
    """Settings, engine, registry, types, keys and the per-process caches."""

    settings: Settings
    engine: Engine
    registry: Registry
    types: TypeRegistry
    keystore: Keystore
    key_history: KeyHistory
    clock: Callable[[], float]

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Services:
        """Load the registry and the types, and open the database."""
        engine = engine if engine is not None else make_engine(settings.database_url)
        registry = load_registry(
            settings.issuers_dir, base_url=settings.base_url, demo=settings.demo
        )
        secret = settings.secret_key.get_secret_value()
        return cls(
            settings=settings,
            engine=engine,
            registry=registry,
            types=load_types(settings.schemas_dir),
            keystore=Keystore(settings.keys_dir, secret),
            key_history=KeyHistory(engine, registry, ttl=settings.cache_ttl_seconds, clock=clock),
            clock=clock,
        )

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connections of this process's engine."""
        self.engine.dispose()

    def now(self) -> int:
        """The current time in Unix seconds."""
        return int(self.clock())

    def session(self) -> Session:
        """A new database session (the caller commits)."""
        return Session(self.engine, expire_on_commit=False)

    @cached_property
    def token_key(self) -> bytes:
        """The HMAC key of API token hashes."""
        return token_hash_key(self.settings.secret_key.get_secret_value())

    @cached_property
    def issuance(self) -> IssuanceContext:
        """What the issuance use-case needs."""
        secret = self.settings.secret_key.get_secret_value()
        return IssuanceContext(
            types=self.types, keystore=self.keystore, learner_key=learner_hash_key(secret)
        )

    @cached_property
    def verification(self) -> VerifierContext:
        """What the verifier use-case needs."""
        return VerifierContext(
            registry=self.registry, types=self.types, key_history=self.key_history
        )
