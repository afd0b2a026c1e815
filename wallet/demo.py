"""Demo mode: keys and API tokens for the demo institutions of ``issuers/``.

``make run`` starts the service with ``IMK_DEMO=1``: the registry then loads the entries
marked ``"demo": true``, each gets a signing key on first start (the university signs with
EdDSA, the vocational school with ES256, so both algorithms are exercised), and a fresh
API token named ``demo-<time>`` is printed at every start (earlier demo tokens are
revoked, since a token cannot be shown twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from wallet import access
from wallet.db import crud
from wallet.service import Services

DEMO_TOKEN_NAME = "demo"  # noqa: S105 (a name, not a secret)


@dataclass(frozen=True)
class DemoLogin:
    """What ``make run`` prints for one demo institution."""

    slug: str
    name: str
    did: str
    kid: str
    token: str


def seed(services: Services) -> list[DemoLogin]:
    """Give every demo institution a key and a fresh ``demo`` token; commit."""
    now = services.now()
    logins: list[DemoLogin] = []
    with Session(services.engine) as session:
        for index, issuer in enumerate(
            sorted(services.registry.issuers.values(), key=lambda entry: entry.slug)
        ):
            if not issuer.demo or issuer.external:
                continue
            current = crud.current_key(session, issuer_slug=issuer.slug)
            if current is None:
                alg = "EdDSA" if index % 2 == 0 else "ES256"
                current = services.keystore.create_key(session, issuer=issuer, alg=alg, now=now)
            for old in crud.active_tokens(session, issuer_slug=issuer.slug):
                if old.name.startswith(DEMO_TOKEN_NAME + "-"):
                    access.revoke_token(session, issuer_slug=issuer.slug, name=old.name, now=now)
            token = access.create_token(
                session, hash_key=services.token_key, issuer_slug=issuer.slug,
                name=f"{DEMO_TOKEN_NAME}-{now}", now=now,
            )  # fmt: skip
            logins.append(
                DemoLogin(
                    slug=issuer.slug,
                    name=issuer.names.get("lv", issuer.slug),
                    did=issuer.did,
                    kid=current.kid,
                    token=token,
                )
            )
        session.commit()
    services.key_history.refresh()
    return logins
