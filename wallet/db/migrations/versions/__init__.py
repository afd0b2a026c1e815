"""Alembic revisions, one module each, named ``NNNN_what.py``."""
