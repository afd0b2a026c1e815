"""Alembic migrations of the service's database (run through :mod:`wallet.db.migrate`)."""
