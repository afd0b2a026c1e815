"""The composition root: everything a process builds once from its settings.

The web app and the CLI build one :class:`Services` at start and pass it down; nothing
here is global. Tests build it from test settings and a test engine.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import cast

from sqlalchemy.engine import Engine
from sqlmodel import Session

from wallet import delivery, notify
from wallet.access import token_hash_key
from wallet.accounts import AccountsContext
from wallet.batches import BatchContext
from wallet.checkpoints import Checkpoints
from wallet.config import Settings
from wallet.credential_types import TypeRegistry, load_types
from wallet.db.engine import make_engine
from wallet.holder import HolderContext
from wallet.identity import PERSONAL_CODE_CALLBACK, IdentityContext
from wallet.issuance import IssuanceContext
from wallet.jose import ScryptCost, derive_secret
from wallet.keystore import Keystore
from wallet.mail import DirectoryMailer, Security, SMTPMailer, SMTPSettings
from wallet.oidc import OIDCClient, OIDCSettings
from wallet.passwords import PasswordParams
from wallet.personal_code import learner_hash_key
from wallet.ratelimit import RateLimiter
from wallet.sessions import SessionContext
from wallet.share_images import ShareImages
from wallet.shares import ShareContext
from wallet.status_check import StatusChecker
from wallet.status_external import ExternalStatusLists
from wallet.status_fetch import StatusListFetcher
from wallet.status_lists import OwnStatusLists
from wallet.status_publish import StatusPublisher
from wallet.totp import recovery_code_key
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
    #: The random source of tokens, secrets and nonces (a parameter, as the clock is).
    random: Callable[[int], bytes] = secrets.token_bytes

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
            types=self.types,
            keystore=self.keystore,
            learner_key=learner_hash_key(secret),
            holder=self.holder,
            base_url=self.settings.base_url,
            random=self.random,
            status_list_size=self.settings.status_list_size,
        )

    @cached_property
    def batches(self) -> BatchContext:
        """What the batch use-case needs (crash points only in test mode)."""
        settings = self.settings
        return BatchContext(
            issuance=self.issuance,
            sessions=self.session,
            max_rows=settings.batch_max_rows,
            max_bytes=settings.batch_max_bytes,
            stale_seconds=settings.batch_stale_seconds,
            checkpoint=Checkpoints(settings.crash_at, settings.pause_at, settings.pause_file),
            clock=time.monotonic,
        )

    def deliver_pending(self) -> int:
        """Put every credential waiting in the delivery outbox into its wallet; how many."""
        return delivery.drain(
            self.session, ctx=self.holder, base_url=self.settings.base_url, clock=self.now,
            checkpoint=self.batches.checkpoint,
        )  # fmt: skip

    @cached_property
    def holder(self) -> HolderContext:
        """What the wallet use-cases need."""
        secret = self.settings.secret_key.get_secret_value()
        return HolderContext(
            kek=derive_secret(secret, "imk/wallet-key-encryption"),
            learner_key=learner_hash_key(secret),
            verification=self.verification,
            types=self.types,
            registry=self.registry,
            random=self.random,
            export_cost=ScryptCost(n=self.settings.export_scrypt_n),
        )

    @cached_property
    def shares(self) -> ShareContext:
        """What share links need."""
        secret = self.settings.secret_key.get_secret_value()
        return ShareContext(
            holder=self.holder,
            base_url=self.settings.base_url,
            token_key=derive_secret(secret, "imk/share-token"),
        )

    @cached_property
    def share_images(self) -> ShareImages:
        """This process's QR images of share links."""
        return ShareImages()

    @cached_property
    def verification(self) -> VerifierContext:
        """What the verifier use-case needs."""
        return VerifierContext(
            registry=self.registry,
            types=self.types,
            key_history=self.key_history,
            status=StatusChecker(
                self.own_status_lists,
                base_url=self.settings.base_url,
                external=self.external_status_lists,
            ),  # fmt: skip
            accept_unknown_status=self.settings.status_accept_unknown,
        )

    @cached_property
    def own_status_lists(self) -> OwnStatusLists:
        """This process's view of our status lists (re-read at most once per interval)."""
        return OwnStatusLists(
            self.engine, interval=self.settings.status_interval_seconds, clock=time.monotonic
        )

    @cached_property
    def external_status_lists(self) -> ExternalStatusLists:
        """External issuers' lists: fetched from allow-listed hosts, cached per their ttl."""
        s = self.settings
        fetcher = StatusListFetcher(
            frozenset(s.status_hosts.split()), timeout_seconds=s.status_fetch_timeout_seconds
        )
        return ExternalStatusLists(fetcher, self.key_history, clock=time.monotonic)

    @cached_property
    def status_publisher(self) -> StatusPublisher:
        """Signs and keeps the published forms of our status lists."""
        s = self.settings
        return StatusPublisher(
            self.own_status_lists, keystore=self.keystore, registry=self.registry,
            session=self.session, base_url=s.base_url, ttl=s.status_ttl_seconds,
            validity=s.status_validity_seconds,
        )  # fmt: skip

    def ensure_service_key(self) -> None:
        """Create the service's own signing key if it has none (in its own transaction)."""
        with self.session() as session:
            self.keystore.service_key(session, now=self.now())

    @cached_property
    def mailer(self) -> SMTPMailer | DirectoryMailer:
        """Outgoing mail: the configured SMTP server, or files in ``IMK_MAIL_DIR``."""
        s = self.settings
        if s.mail_dir is not None:
            return DirectoryMailer(s.mail_dir)
        return SMTPMailer(
            SMTPSettings(
                host=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                security=cast(Security, s.smtp_security),
                sender=s.mail_from,
            )
        )

    def flush_notifications(self) -> int:
        """Send the notification mails that are due (after a commit); return how many."""
        domain = self.settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return notify.flush(
            self.engine, mailer=self.mailer, sender=self.settings.mail_from, domain=domain,
            now=self.now(),
        )  # fmt: skip

    @cached_property
    def sessions(self) -> SessionContext:
        """What page and API sessions need."""
        secret = self.settings.secret_key.get_secret_value()
        return SessionContext(
            base_url=self.settings.base_url,
            hash_key=derive_secret(secret, "imk/session-cookie"),
            ttl_seconds=self.settings.session_ttl_seconds,
            keystore=self.keystore,
            key_history=self.key_history,
            random=self.random,
        )

    @cached_property
    def accounts(self) -> AccountsContext:
        """What the account use-cases need."""
        s = self.settings
        secret = s.secret_key.get_secret_value()
        return AccountsContext(
            base_url=s.base_url,
            mailer=self.mailer,
            sender=s.mail_from,
            password_params=PasswordParams(
                time_cost=s.password_time_cost,
                memory_cost=s.password_memory_kib,
                parallelism=s.password_parallelism,
            ),
            link_key=derive_secret(secret, "imk/one-time-link"),
            seal_key=derive_secret(secret, "imk/seal/totp"),
            recovery_key=recovery_code_key(secret),
            verify_link_ttl=s.verify_link_ttl_seconds,
            reset_link_ttl=s.reset_link_ttl_seconds,
            limiter=RateLimiter(self.engine, hash_key=derive_secret(secret, "imk/rate-limit")),
            sessions=self.sessions,
            holder=self.holder,
            random=self.random,
        )

    @cached_property
    def identity(self) -> IdentityContext:
        """What linking a personal code needs (no client when no provider is configured)."""
        s = self.settings
        secret = s.secret_key.get_secret_value()
        client = None
        if s.oidc_issuer and s.oidc_client_id and s.oidc_client_secret:
            client = OIDCClient(
                OIDCSettings(
                    issuer=s.oidc_issuer,
                    client_id=s.oidc_client_id,
                    client_secret=s.oidc_client_secret.get_secret_value(),
                    redirect_uri=f"{s.base_url}{PERSONAL_CODE_CALLBACK}",
                    scopes=tuple(s.oidc_scopes.split()),
                    personal_code_claim=s.oidc_personal_code_claim,
                    personal_code_prefix=s.oidc_personal_code_prefix,
                )
            )
        return IdentityContext(
            client=client,
            learner_key=learner_hash_key(secret),
            state_key=derive_secret(secret, "imk/oidc-state"),
            holder=self.holder,
            random=self.random,
        )
