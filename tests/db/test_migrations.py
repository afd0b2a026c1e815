"""Alembic migrations produce exactly the schema of the models, idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from wallet.db.engine import make_engine
from wallet.db.migrate import upgrade


def describe(inspector, table: str) -> dict:
    columns = {
        column["name"]: (column["nullable"], type(column["type"]).__name__.upper())
        for column in inspector.get_columns(table)
    }
    indexes = {
        (index["name"], tuple(index["column_names"]), bool(index["unique"]))
        for index in inspector.get_indexes(table)
    }
    uniques = {tuple(sorted(u["column_names"])) for u in inspector.get_unique_constraints(table)}
    foreign = {
        (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
        for fk in inspector.get_foreign_keys(table)
    }
    primary = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
    return {
        "columns": columns,
        "indexes": indexes,
        "uniques": uniques,
        "fk": foreign,
        "pk": primary,
    }


def schema(engine: Engine) -> dict:
    inspector = inspect(engine)
    return {
        name: describe(inspector, name)
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }


def drop_everything(engine: Engine) -> None:
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


@pytest.fixture
def empty_database(settings) -> str:
    engine = make_engine(settings.database_url)
    drop_everything(engine)
    engine.dispose()
    return settings.database_url


#: The newest revision: the highest numbered file under wallet/db/migrations/versions/.
HEAD = max(
    path.name.split("_", 1)[0]
    for path in (Path(__file__).resolve().parents[2] / "wallet/db/migrations/versions").glob(
        "[0-9]*_*.py"
    )
)


def test_upgrade_builds_the_models_schema_and_is_idempotent(empty_database, tmp_path):
    upgrade(empty_database)
    migrated_engine = make_engine(empty_database)
    migrated = schema(migrated_engine)
    with migrated_engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == HEAD

    upgrade(empty_database)  # a second run changes nothing
    assert schema(migrated_engine) == migrated
    migrated_engine.dispose()

    # The reference: the same models created directly by SQLAlchemy, on the same backend.
    reference_engine = make_engine(empty_database)
    drop_everything(reference_engine)
    SQLModel.metadata.create_all(reference_engine)
    expected = schema(reference_engine)
    reference_engine.dispose()

    assert set(migrated) == {table.name for table in SQLModel.metadata.sorted_tables}
    assert migrated == expected


def test_one_current_key_per_issuer_is_enforced_after_migration(empty_database):
    upgrade(empty_database)
    engine = make_engine(empty_database)
    insert = text(
        "INSERT INTO issuer_key (issuer_slug, kid, alg, public_jwk, state, valid_from, created_at)"
        " VALUES ('uni', :kid, 'EdDSA', '{}', :state, 0, 0)"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"kid": "a", "state": "retired"})
        connection.execute(insert, {"kid": "b", "state": "retired"})
        connection.execute(insert, {"kid": "c", "state": "current"})
    with pytest.raises(Exception, match="(?i)unique"), engine.begin() as connection:  # noqa: B017
        connection.execute(insert, {"kid": "d", "state": "current"})
    engine.dispose()
