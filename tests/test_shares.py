"""Share-link use-cases (wallet/shares.py): what is stored, the token shape, the share-link
policy, the verifier's name, and parallel openings that never exceed the view limit."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from tests.fixtures.accounts import login, register
from tests.web.api.test_shares import sd_item
from wallet import shares
from wallet.db.models import Account, Share
from wallet.errors import GoneError, InputError, NotFoundError
from wallet.sdjwt import KeyBindingPolicy
from wallet.shares import ShareItem


@pytest.fixture
def made(api, accounts_world, mailbox):
    """A learner with an SD-JWT diploma: (services, account id, item id)."""
    person = login(api, register(api, mailbox, "use.case@example.lv"))
    item_id = sd_item(api, accounts_world, person)
    services = accounts_world.services
    with services.session() as session:
        account = session.exec(select(Account).where(Account.email == person.email)).one()
    return services, account.id, item_id


def _create(services, account_id, item_id, now, **options):
    with services.session() as session:
        created = shares.create_share(
            session, ctx=services.shares, account_id=account_id,
            items=[ShareItem(item_id, (("givenName",),))], now=now, **options,
        )  # fmt: skip
        session.commit()
    return created


def test_only_a_keyed_hash_of_the_token_is_stored_and_content_is_sealed(made, now):
    services, account_id, item_id = made
    created = _create(services, account_id, item_id, now, label="For HR")
    with services.session() as session:
        (row,) = session.exec(select(Share)).all()
    plain = " ".join(str(value) for value in row.model_dump().values())
    assert created.token not in plain
    assert row.token_hash != created.token and len(row.token_hash) == 43
    assert "givenName" not in row.content and row.content.startswith("v1.")
    assert row.expires_at == now + shares.DEFAULT_DAYS * 24 * 3600 and row.views == 0
    with services.session() as session:
        assert shares.link_of(session, ctx=services.shares, share=row) == created.url


@pytest.mark.parametrize(
    "options",
    [{"expires_in_days": 0}, {"expires_in_days": 366}, {"max_views": 0},
     {"max_views": shares.MAX_VIEWS + 1}, {"label": "x" * 200}, {"label": "bad\x07"}],
)  # fmt: skip
def test_bad_requests_are_refused(made, now, options):
    services, account_id, item_id = made
    with pytest.raises(InputError):
        _create(services, account_id, item_id, now, **options)


def test_another_accounts_credential_is_not_found(made, now):
    services, account_id, item_id = made
    with pytest.raises(NotFoundError):
        _create(services, account_id + 1000, item_id, now)


@pytest.mark.parametrize("token", ["", "short", "A" * 23, "A" * 21 + "!", "../" * 8])
def test_tokens_not_shaped_like_ours_are_not_looked_up(made, now, token):
    services, _, _ = made
    with services.session() as session, pytest.raises(NotFoundError):
        shares.find(session, ctx=services.shares, token=token, now=now, need_view=True)


def test_the_share_link_policy_window_starts_at_creation(now):
    share = Share(
        id="n", token_hash="h", wallet_id=1, account_id=1, created_at=now,
        expires_at=now + 100, item_ids="[]", content="",
    )  # fmt: skip
    policy = shares.share_policy(url="https://x/s/t", share=share, now=now + 50)
    assert policy == KeyBindingPolicy(aud="https://x/s/t", nonce="n", max_age_seconds=50)


@pytest.mark.parametrize(
    ("given", "kept"),
    [(None, None), ("", None), ("  \t ", None), ("Daugava\nBank", "Daugava Bank"),
     ("a\u202eb\u0000c", "abc"), ("x" * 500, "x" * 64), ("Rīgas Tehniskā", "Rīgas Tehniskā")],
)  # fmt: skip
def test_the_verifier_name_is_sanitised_and_capped(given, kept):
    assert shares.verifier_name(given) == kept


def test_parallel_openings_never_exceed_the_view_limit(made, now):
    services, account_id, item_id = made
    created = _create(services, account_id, item_id, now, max_views=3)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def opening() -> None:
        barrier.wait()
        with services.session() as session:
            try:
                shares.open_share(
                    session, ctx=services.shares, token=created.token, now=now, count_view=True
                )
                session.commit()
                outcomes.append("opened")
            except GoneError:
                session.rollback()
                outcomes.append("gone")

    threads = [threading.Thread(target=opening) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["gone"] * 5 + ["opened"] * 3
    with services.session() as session:
        assert session.get(Share, created.share.id).views == 3
