"""Tables of everything that changes at run time (DESIGN §3 "Where state lives").

Times are integer Unix seconds (UTC), the same on SQLite and PostgreSQL, stored as
BIGINT so that they do not overflow in 2038 (diplomas verify for decades). The registry itself
(``issuers/``) is files; here live the key history, API token hashes, issued-credential
records with their envelopes, and the audit log.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class IssuerKey(SQLModel, table=True):
    """One signing key of an issuer over its life.

    ``state`` is ``current`` (signs now), ``retired`` (private part destroyed at
    ``valid_until``; verifies what it signed before) or ``compromised`` (verifies nothing
    signed at or after ``compromised_since``).
    """

    __tablename__ = "issuer_key"
    # At most one current key per issuer, even with several processes rotating at once.
    __table_args__ = (
        Index(
            "uq_issuer_key_one_current",
            "issuer_slug",
            unique=True,
            sqlite_where=text("state = 'current'"),
            postgresql_where=text("state = 'current'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    issuer_slug: str = Field(index=True, max_length=64)
    kid: str = Field(unique=True, max_length=512)
    alg: str = Field(max_length=16)
    public_jwk: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="current", max_length=16)
    valid_from: int = Field(sa_type=BigInteger)
    valid_until: int | None = Field(default=None, sa_type=BigInteger)
    compromised_since: int | None = Field(default=None, sa_type=BigInteger)
    created_at: int = Field(sa_type=BigInteger)


class ApiToken(SQLModel, table=True):
    """An issuer's API token: only the keyed hash is stored; revoked ones stay for audit."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("issuer_slug", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer_slug: str = Field(index=True, max_length=64)
    name: str = Field(max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: int = Field(sa_type=BigInteger)
    revoked_at: int | None = Field(default=None, sa_type=BigInteger)


class CredentialRecord(SQLModel, table=True):
    """One issued credential (the record); its envelopes (formats) hang off it.

    ``content_hash`` fingerprints the unsecured credential so that a second issuance under
    the same ``id`` can be told apart: same content adds an envelope, other content is a
    conflict. ``learner_hash`` is the keyed hash of the learner's personal code (never the
    code itself).
    """

    __tablename__ = "credential_record"

    id: str = Field(primary_key=True, max_length=512)
    issuer_slug: str = Field(index=True, max_length=64)
    type_name: str = Field(index=True, max_length=64)
    title: str | None = Field(default=None, max_length=512)
    content_hash: str = Field(max_length=64)
    learner_hash: str | None = Field(default=None, index=True, max_length=64)
    learner_email_hash: str | None = Field(default=None, max_length=64)
    batch_id: str | None = Field(default=None, index=True, max_length=64)
    created_at: int = Field(index=True, sa_type=BigInteger)


class CredentialEnvelope(SQLModel, table=True):
    """One secured form of a record: the format, the key, the signing time and the token."""

    __tablename__ = "credential_envelope"
    __table_args__ = (UniqueConstraint("credential_id", "format"),)

    id: int | None = Field(default=None, primary_key=True)
    credential_id: str = Field(index=True, max_length=512, foreign_key="credential_record.id")
    format: str = Field(max_length=32)
    kid: str = Field(max_length=512)
    iat: int = Field(sa_type=BigInteger)
    token: str = Field(sa_column=Column(Text, nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, when, and why."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: int = Field(index=True, sa_type=BigInteger)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    target: str = Field(max_length=512)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
