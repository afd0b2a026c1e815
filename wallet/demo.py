"""Demo mode: keys and API tokens for the demo institutions of ``issuers/``.

``make run`` starts the service with ``IMK_DEMO=1``: the registry then loads the entries
marked ``"demo": true``, each gets a signing key on first start (the university signs with
EdDSA, the vocational school with ES256, so both algorithms are exercised), and a fresh
API token named ``demo-<time>-<random>`` is printed at every start (two starts within one
second must not collide) (earlier demo tokens are
revoked, since a token cannot be shown twice).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session

from wallet import access, holder, passwords
from wallet.db import account_crud, crud
from wallet.db.models import Account
from wallet.issuance import IssueRequest, Learner, build_credential, issue_batch
from wallet.service import Services

DEMO_TOKEN_NAME = "demo"  # noqa: S105 (a name, not a secret)


#: The demo learner's e-mail address; a new password is printed at every start.
DEMO_LEARNER = "learner@demo.imk.lv"


@dataclass(frozen=True)
class DemoLearner:
    """What ``make run`` prints for the demo learner."""

    email: str
    password: str
    credentials: int


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
                name=f"{DEMO_TOKEN_NAME}-{now}-{secrets.token_hex(3)}", now=now,
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


def seed_learner(services: Services) -> DemoLearner:
    """The demo learner: an account with a proven address, a fresh password (printed), and,
    on first start, a diploma and a course certificate from the demo institutions in the
    wallet; commit."""
    now = services.now()
    password = "demo-" + secrets.token_urlsafe(12)
    params = services.accounts.password_params
    with Session(services.engine) as session:
        account = account_crud.account_by_email(session, email=DEMO_LEARNER)
        if account is None:
            account = account_crud.add_account(
                session,
                row=Account(
                    email=DEMO_LEARNER, password_hash="", role="learner", language="lv",
                    email_verified_at=now, password_changed_at=now, created_at=now,
                ),
            )  # fmt: skip
        account.password_hash = passwords.hash_password(
            password, params, random_bytes=services.random
        )
        session.add(account)
        session.commit()
        assert account.id is not None
        held = holder.list_credentials(session, account_id=account.id, limit=100)
        if not held:
            _issue_demo_credentials(services, session, now=now)
            session.commit()
            held = holder.list_credentials(session, account_id=account.id, limit=100)
    return DemoLearner(email=DEMO_LEARNER, password=password, credentials=len(held))


def _issue_demo_credentials(services: Services, session: Session, *, now: int) -> None:
    demo_issuers = sorted(
        (
            entry
            for entry in services.registry.issuers.values()
            if entry.demo and not entry.external
        ),
        key=lambda entry: entry.slug,
    )
    for issuer, type_name in zip(demo_issuers, ("diploma", "course-certificate"), strict=False):
        if type_name not in issuer.types:
            continue
        ctype = services.types.get(type_name)
        subject = {name: value for name, value in ctype.example.items() if name != "id"}
        credential = build_credential(ctype, subject, issuer_did=issuer.did)
        issue_batch(
            session, ctx=services.issuance, issuer=issuer, now=now,
            requests=[IssueRequest(credential=credential, learner=Learner(email=DEMO_LEARNER))],
        )  # fmt: skip
