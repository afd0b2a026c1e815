"""Tables of everything that changes at run time (DESIGN §3 "Where state lives").

Times are integer Unix seconds (UTC), the same on SQLite and PostgreSQL, stored as
BIGINT so that they do not overflow in 2038 (diplomas verify for decades). The registry itself
(``issuers/``) is files; here live the key history, API token hashes, issued-credential
records with their envelopes, the audit log, and accounts with their sessions, single-use
links, recovery codes, sign-in states and rate-limit counters.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint, text
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
    __table_args__ = (
        # An index is never handed out twice (the permutation guarantees it; this proves it).
        UniqueConstraint("status_list_id", "status_index", name="uq_credential_status_slot"),
        # An institution's external id (student system row) names one record (batches).
        UniqueConstraint("issuer_slug", "external_id", name="uq_credential_external_id"),
        # The few records that are not valid, read when a list's version moves.
        Index(
            "ix_credential_status_changed",
            "status_list_id",
            sqlite_where=text("status <> 0"),
            postgresql_where=text("status <> 0"),
        ),
    )

    id: str = Field(primary_key=True, max_length=512)
    issuer_slug: str = Field(index=True, max_length=64)
    type_name: str = Field(index=True, max_length=64)
    title: str | None = Field(default=None, max_length=512)
    content_hash: str = Field(max_length=64)
    learner_hash: str | None = Field(default=None, index=True, max_length=64)
    learner_email_hash: str | None = Field(default=None, max_length=64)
    batch_id: str | None = Field(default=None, index=True, max_length=64)
    created_at: int = Field(index=True, sa_type=BigInteger)
    #: The record's one place in its issuer's status lists (DESIGN §4): the W3C revocation
    #: and suspension lists and the IETF list of ``status_list_id`` all use ``status_index``.
    status_list_id: int | None = Field(default=None, foreign_key="status_list.id")
    status_index: int | None = Field(default=None, sa_type=BigInteger)
    #: 0 valid, 1 revoked (final), 2 suspended: the IETF Token Status List values.
    status: int = Field(default=0)
    status_changed_at: int | None = Field(default=None, sa_type=BigInteger)
    #: The institution's own id of the row it was issued from (batches; unique per issuer).
    external_id: str | None = Field(default=None, max_length=200)
    #: Corrections: the record this one corrects, and the record that corrected this one.
    replaces: str | None = Field(default=None, max_length=512)
    replaced_by: str | None = Field(default=None, max_length=512)


class StatusList(SQLModel, table=True):
    """One status list of an issuer: ``size`` entries handed out by a keyed permutation.

    ``allocated`` counts the entries handed out; the next record gets
    ``IndexPermutation(key, size)(allocated)`` (:mod:`wallet.status.permutation`), so an
    index is never reused and says nothing about when it was issued. ``version`` grows with
    every status change of the list's records; each process re-reads the versions at most
    once a second and the changed lists' states only when a version moved.
    """

    __tablename__ = "status_list"

    id: int | None = Field(default=None, primary_key=True)
    issuer_slug: str = Field(index=True, max_length=64)
    size: int = Field(sa_type=BigInteger)
    allocated: int = Field(default=0, sa_type=BigInteger)
    permutation_key: str = Field(max_length=64)
    version: int = Field(default=0, sa_type=BigInteger)
    created_at: int = Field(sa_type=BigInteger)


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


class Account(SQLModel, table=True):
    """A person who signs in: a learner, an institution's staff member, or an operator.

    ``email`` is stored normalised (lower case) because mail must reach it; the personal
    code only as the learner's keyed hash (the one ``credential_record.learner_hash``
    holds), set by an identity provider's login, never from a form. ``totp_secret`` is
    sealed (AES-GCM under a key derived from the service secret).
    """

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    email_verified_at: int | None = Field(default=None, sa_type=BigInteger)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    issuer_slug: str | None = Field(default=None, index=True, max_length=64)
    language: str = Field(default="lv", max_length=2)
    totp_secret: str | None = Field(default=None, max_length=256)
    totp_enabled_at: int | None = Field(default=None, sa_type=BigInteger)
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)
    personal_code_hash: str | None = Field(default=None, unique=True, max_length=64)
    personal_code_linked_at: int | None = Field(default=None, sa_type=BigInteger)
    password_changed_at: int = Field(sa_type=BigInteger)
    created_at: int = Field(sa_type=BigInteger)


class AuthSession(SQLModel, table=True):
    """One signed-in session: a page cookie or an API bearer token.

    ``id`` is public (the bearer token's ``sid``); a cookie session also has the keyed hash
    of its cookie value. Every request reads this row, so revoking it ends the session in
    every process at once. ``second_factor`` is false while a login still waits for its
    TOTP or recovery code.
    """

    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(index=True, foreign_key="account.id")
    kind: str = Field(max_length=8)
    cookie_hash: str | None = Field(default=None, unique=True, max_length=64)
    second_factor: bool = Field(default=False)
    created_at: int = Field(sa_type=BigInteger)
    expires_at: int = Field(sa_type=BigInteger)
    revoked_at: int | None = Field(default=None, sa_type=BigInteger)


class OneTimeLink(SQLModel, table=True):
    """A single-use, expiring link sent by e-mail (verify the address, reset the password)."""

    __tablename__ = "one_time_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    purpose: str = Field(max_length=32)
    account_id: int = Field(index=True, foreign_key="account.id")
    created_at: int = Field(sa_type=BigInteger)
    expires_at: int = Field(sa_type=BigInteger)
    used_at: int | None = Field(default=None, sa_type=BigInteger)


class RecoveryCode(SQLModel, table=True):
    """One second-factor recovery code (keyed hash), usable once."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(index=True, foreign_key="account.id")
    code_hash: str = Field(max_length=64)
    used_at: int | None = Field(default=None, sa_type=BigInteger)


class SignInState(SQLModel, table=True):
    """A pending OpenID Connect login: state, nonce and PKCE verifier, for one account."""

    __tablename__ = "sign_in_state"

    state_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(index=True, foreign_key="account.id")
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    expires_at: int = Field(sa_type=BigInteger)


class RateCounter(SQLModel, table=True):
    """Failures counted per key (account, address) in fixed windows, shared by all processes."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=128)
    window_start: int = Field(primary_key=True, sa_type=BigInteger)
    count: int = Field(default=0)


class HolderWallet(SQLModel, table=True):
    """A learner's wallet: pending (no account yet) or attached to an account.

    Found by the keyed hash of the personal code or of the e-mail address it was issued to
    (the same hashes as ``credential_record``). An account may hold several wallets (one
    for its personal code, one for its e-mail address, one for what it imported): each
    keeps the holder keys its credentials are bound to, and the account sees them all.

    Its data key (AES-256) is sealed by the key-encryption key from settings; the holder
    private keys (P-256 for ``did:jwk`` and the SD-JWT ``cnf``, Ed25519) are sealed by the
    data key.
    """

    __tablename__ = "holder_wallet"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, index=True, foreign_key="account.id")
    personal_code_hash: str | None = Field(default=None, unique=True, max_length=64)
    email_hash: str | None = Field(default=None, index=True, max_length=64)
    holder_did: str = Field(unique=True, max_length=512)
    data_key: str = Field(max_length=256)
    p256_key: str = Field(sa_column=Column(Text, nullable=False))
    ed25519_key: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_type=BigInteger)


class WalletItem(SQLModel, table=True):
    """One credential in a wallet: sealed content, plus plain columns to list and search.

    The plain columns (type, issuer, titles, dates) hold no personal data of the subject;
    the credential itself and its verification result are sealed by the wallet's data key.
    Listing the newest credentials of a wallet reads the index
    ``(wallet_id, issued_at, id)``.
    """

    __tablename__ = "wallet_item"
    __table_args__ = (
        Index("ix_wallet_item_wallet_newest", "wallet_id", "issued_at", "id"),
        UniqueConstraint("wallet_id", "record_id", "format"),
    )

    id: str = Field(primary_key=True, max_length=64)
    wallet_id: int = Field(foreign_key="holder_wallet.id")
    record_id: str | None = Field(default=None, max_length=512)
    source: str = Field(max_length=16)
    format: str = Field(max_length=32)
    type_name: str = Field(max_length=64)
    issuer_slug: str | None = Field(default=None, max_length=64)
    issuer_id: str = Field(max_length=512)
    title_lv: str | None = Field(default=None, max_length=512)
    title_en: str | None = Field(default=None, max_length=512)
    issued_at: int = Field(sa_type=BigInteger)
    added_at: int = Field(sa_type=BigInteger)
    verified: bool = Field(default=False)
    trust: str = Field(max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))


class AccessEvent(SQLModel, table=True):
    """Someone other than the learner read the learner's data (shown to the learner)."""

    __tablename__ = "access_event"

    id: int | None = Field(default=None, primary_key=True)
    wallet_id: int = Field(index=True, foreign_key="holder_wallet.id")
    at: int = Field(sa_type=BigInteger)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    target: str = Field(max_length=512)


class OutboxMail(SQLModel, table=True):
    """A notification waiting to be sent (written in the transaction of what it tells).

    A row is deleted once the mail server has taken the message, so recipients do not
    accumulate here; a failed attempt is retried later with a growing delay.
    """

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    kind: str = Field(max_length=32)
    language: str = Field(max_length=2)
    params: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_type=BigInteger)
    attempts: int = Field(default=0)
    next_attempt_at: int = Field(index=True, sa_type=BigInteger)


class Challenge(SQLModel, table=True):
    """A verifier's single-use challenge (the ``nonce`` a presentation must carry), bound to
    the verifier's domain (the presentation's audience)."""

    __tablename__ = "challenge"

    value: str = Field(primary_key=True, max_length=64)
    domain: str = Field(max_length=512)
    created_at: int = Field(sa_type=BigInteger)
    expires_at: int = Field(index=True, sa_type=BigInteger)
    used_at: int | None = Field(default=None, sa_type=BigInteger)


class Share(SQLModel, table=True):
    """A share link ``/s/{token}`` to presentations of some of a learner's credentials.

    The link's token is never stored: only its keyed hash (``token_hash``), by which the
    link is looked up. ``id`` (128 random bits) is the nonce of the presentations, whose
    audience is the link itself; they are built at creation and kept sealed by the wallet's
    data key in ``content`` (``docs/shares.md``). ``views`` counts the openings that use a
    view; with ``max_views`` it never exceeds it (one conditional update).
    """

    __tablename__ = "share"

    id: str = Field(primary_key=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    wallet_id: int = Field(index=True, foreign_key="holder_wallet.id")
    account_id: int = Field(index=True, foreign_key="account.id")
    created_at: int = Field(sa_type=BigInteger)
    expires_at: int = Field(sa_type=BigInteger)
    max_views: int | None = Field(default=None)
    views: int = Field(default=0)
    revoked_at: int | None = Field(default=None, sa_type=BigInteger)
    label: str | None = Field(default=None, max_length=128)
    item_ids: str = Field(sa_column=Column(Text, nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))


class IssuanceBatch(SQLModel, table=True):
    """One batch file an institution submitted: its state, progress, counts and report.

    ``state`` is ``running``, ``issued`` (every row issued or skipped), ``refused`` (nothing
    issued; the report says why) or ``checked`` (a dry run). ``done`` of ``total`` is the
    progress, written in short transactions of its own while the batch runs, so that every
    process can read it. The idempotency key names the submission within the institution.
    """

    __tablename__ = "issuance_batch"
    __table_args__ = (
        UniqueConstraint("issuer_slug", "idempotency_key", name="uq_batch_idempotency_key"),
    )

    id: str = Field(primary_key=True, max_length=64)
    issuer_slug: str = Field(index=True, max_length=64)
    idempotency_key: str = Field(max_length=128)
    filename: str = Field(max_length=255)
    source_format: str = Field(max_length=16)
    formats: str = Field(max_length=32)
    content_sha256: str = Field(max_length=64)
    actor: str = Field(max_length=128)
    #: The run that holds the batch: only it may move its progress or write its outcome.
    runner: str = Field(max_length=32)
    state: str = Field(max_length=16)
    total: int = Field(default=0)
    done: int = Field(default=0)
    issued: int = Field(default=0)
    skipped: int = Field(default=0)
    refused: int = Field(default=0)
    created_at: int = Field(sa_type=BigInteger)
    updated_at: int = Field(sa_type=BigInteger)
    finished_at: int | None = Field(default=None, sa_type=BigInteger)
    #: The options it ran with (type, formats, encoding, dry run), as JSON.
    options: str = Field(sa_column=Column(Text, nullable=False))
    #: The signatures of its XML files (who signed, with which algorithm), as JSON.
    signatures: str = Field(sa_column=Column(Text, nullable=False))
    #: The per-row report, as JSON (``wallet.intake.report``), once the batch has finished.
    report: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class BatchEvidence(SQLModel, table=True):
    """A document that came with a batch (a diploma supplement PDF in an ELMO file)."""

    __tablename__ = "batch_evidence"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(index=True, foreign_key="issuance_batch.id", max_length=64)
    name: str = Field(max_length=255)
    media_type: str = Field(max_length=128)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DeliveryOutbox(SQLModel, table=True):
    """A credential waiting to be put into a learner's wallet (written when it is issued).

    Batches deliver after their commit, so delivery never slows or breaks them, and a crash
    after the commit still delivers: the row stays until the wallet holds the credential.
    ``token`` is what the learner gets beyond the record's envelope of ``format`` (empty for
    a vc+jwt; an SD-JWT VC's disclosures), sealed by the service's key-encryption key and
    bound to the row's ``seal_id``.
    """

    __tablename__ = "delivery_outbox"

    id: int | None = Field(default=None, primary_key=True)
    seal_id: str = Field(unique=True, max_length=32)
    wallet_id: int = Field(index=True, foreign_key="holder_wallet.id")
    credential_id: str = Field(max_length=512)
    format: str = Field(max_length=16)
    issuer_slug: str = Field(max_length=64)
    title: str | None = Field(default=None, max_length=512)
    type_name: str = Field(max_length=64)
    email: str | None = Field(default=None, max_length=254)
    token: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_type=BigInteger)
    attempts: int = Field(default=0)
