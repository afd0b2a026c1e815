"""Builders for test data: registry entries, services with keys and tokens, credentials."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from wallet import access
from wallet.config import Settings
from wallet.issuance import IssueRequest, build_credential, issue_batch
from wallet.service import Services

ALL_TYPES = ("diploma", "qualification", "course-certificate", "micro-credential", "generic")


def make_issuer_dir(
    issuers_dir: Path,
    slug: str,
    *,
    types: Iterable[str] = ALL_TYPES,
    valid_from: str = "2020-01-01",
    valid_until: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``issuers_dir/slug/issuer.json`` for an institution that signs here."""
    types = list(types)
    entry: dict[str, Any] = {
        "slug": slug,
        "name": {"lv": f"Testa iestāde {slug}", "en": f"Test institution {slug}"},
        "country": "LV",
        "accreditation": [
            {"types": types, "validFrom": valid_from, "validUntil": valid_until, "decision": "test"}
        ],
        "types": types,
    }
    entry.update(extra or {})
    folder = issuers_dir / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "issuer.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    return folder


@dataclass
class World:
    """Services with institutions that have keys and API tokens."""

    services: Services
    tokens: dict[str, str]
    clock: list[float]

    def set_now(self, now: int) -> None:
        self.clock[0] = float(now)

    def issue(self, slug: str, type_name: str, *, now: int | None = None, **fields: Any) -> str:
        """Issue the type's example credential with ``fields`` merged in; return the token."""
        services = self.services
        issuer = services.registry.by_slug(slug)
        ctype = services.types.get(type_name)
        credential = build_credential(ctype, ctype.example, issuer_did=issuer.did)
        credential.update(fields)
        with services.session() as session:
            (issued,) = issue_batch(
                session, ctx=services.issuance, issuer=issuer,
                requests=[IssueRequest(credential=credential)], now=now or services.now(),
            )  # fmt: skip
            session.commit()
        return issued.token


def make_world(
    settings: Settings,
    engine: Engine,
    *,
    now: int,
    issuers: dict[str, str] | None = None,
) -> World:
    """Registry entries, keys ("EdDSA"/"ES256" per slug) and a token per institution."""
    issuers = issuers if issuers is not None else {"uni": "EdDSA", "school": "ES256"}
    for slug in issuers:
        if not (settings.issuers_dir / slug).exists():
            make_issuer_dir(settings.issuers_dir, slug)
    clock = [float(now)]
    services = Services.build(settings, engine=engine, clock=lambda: clock[0])
    tokens = {}
    with services.session() as session:
        for slug, alg in issuers.items():
            issuer = services.registry.by_slug(slug)
            services.keystore.create_key(session, issuer=issuer, alg=alg, now=now - 3600)
            tokens[slug] = access.create_token(
                session, hash_key=services.token_key, issuer_slug=slug, name="test", now=now
            )
        session.commit()
    services.key_history.refresh()
    return World(services=services, tokens=tokens, clock=clock)


def settings_env(settings: Settings) -> dict[str, str]:
    """The ``IMK_*`` variables that rebuild ``settings`` (for the CLI and subprocesses)."""
    from tests.conftest import CHEAP_PASSWORD_HASHING, TEST_SECRET

    return {
        **CHEAP_PASSWORD_HASHING,
        "IMK_DATA_DIR": str(settings.data_dir),
        "IMK_DATABASE_URL": settings.database_url,
        "IMK_ISSUERS_DIR": str(settings.issuers_dir),
        "IMK_KEYS_DIR": str(settings.keys_dir),
        "IMK_SCHEMAS_DIR": str(settings.schemas_dir),
        "IMK_SECRET_KEY": TEST_SECRET,
        "IMK_BASE_URL": settings.base_url,
        "IMK_CACHE_TTL_SECONDS": "0",
    }
