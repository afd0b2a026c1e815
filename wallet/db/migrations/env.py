"""Alembic environment: runs migrations on the connection :mod:`wallet.db.migrate` hands in.

There is no ``alembic.ini``: :func:`wallet.db.migrate.upgrade` configures Alembic in code and
puts an open connection into ``config.attributes["connection"]``. The target metadata is
``SQLModel.metadata``, so ``alembic revision --autogenerate`` (through
:func:`wallet.db.migrate.alembic_config`) compares against the models. SQLite runs in batch
mode, since it cannot alter most of a table in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from wallet.db import models  # noqa: F401  (registers the tables)

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through wallet.db.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
