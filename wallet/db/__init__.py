"""Persistence: SQLModel tables, the engine built from settings, and the queries (crud)."""
