"""Typed settings, built once from the environment and passed down (never a global).

Every setting is an ``IMK_`` variable. ``load_settings(environ)`` is called by the CLI and
the app factory; tests build settings from a dict. The one secret, ``IMK_SECRET_KEY``, is
at least 32 bytes of entropy given as hex or base64url; every other secret (key-file
passphrases, token hashes, the learner's keyed hash) is derived from it by HKDF with a
label. Outside demo mode a missing or short secret is refused. In demo mode, when it is not
given, a random one is created once in ``IMK_DATA_DIR/demo-secret`` (mode 0600), so that a
fresh clone's ``make run`` works and its keys stay readable across restarts.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretBytes, SecretStr, field_validator

from wallet.errors import InputError

MIN_SECRET_BYTES = 32
_TRUE = {"1", "true", "yes", "on"}


class Settings(BaseModel):
    """Everything the service is configured with."""

    model_config = ConfigDict(frozen=True)

    base_url: str = "http://127.0.0.1:8000"
    database_url: str
    data_dir: Path
    issuers_dir: Path
    keys_dir: Path
    schemas_dir: Path
    secret_key: SecretBytes
    demo: bool = False
    #: Largest request body read, in bytes (413 above it, before parsing).
    max_body_bytes: int = 1024 * 1024
    #: How often each process re-reads key history and registry state, in seconds (0 = always).
    cache_ttl_seconds: float = 1.0
    #: Lifetime of a verifier challenge, in seconds.
    challenge_ttl_seconds: int = 300

    # --- status lists (revocation and suspension) -----------------------------------
    #: How often each process re-reads the versions of our own status lists, in seconds
    #: (0 = on every verification). A revocation shows everywhere within this interval.
    status_interval_seconds: float = 1.0
    #: Entries of each new status list (at least 131,072 and a multiple of 8).
    status_list_size: int = 131_072
    #: How long others may cache our published lists (``ttl``, Cache-Control), in seconds.
    status_ttl_seconds: int = 300
    #: How long a published list stays valid (``validUntil`` / ``exp``), in seconds.
    status_validity_seconds: int = 24 * 3600
    #: Space-separated host names whose status lists may be fetched (external issuers).
    status_hosts: str = ""
    #: Timeout of one status list fetch, in seconds.
    status_fetch_timeout_seconds: float = 3.0
    #: Policy switch: accept a credential whose status is "unknown", with a warning
    #: (never for "revoked" or "suspended"). Off by default: unknown does not verify.
    status_accept_unknown: bool = False

    # --- batches (bulk issuance) ----------------------------------------------------------
    #: Most rows (credentials) one batch file may hold.
    batch_max_rows: int = 10_000
    #: Largest batch file, in bytes (a .zip counts its unpacked members too).
    batch_max_bytes: int = 50 * 1024 * 1024
    #: A running batch whose progress has not moved for this long is taken to have died
    #: with its process, and a resubmission runs it again, in seconds.
    batch_stale_seconds: int = 120
    #: Test mode only (``IMK_TEST_MODE``): the crash point at which the process kills itself
    #: (``IMK_CRASH_AT``), or pauses until a file exists (``IMK_PAUSE_AT`` = point,
    #: ``IMK_PAUSE_FILE`` = file). Ignored outside test mode.
    crash_at: str | None = None
    pause_at: str | None = None
    pause_file: Path | None = None

    # --- accounts -------------------------------------------------------------------
    #: Lifetime of a signed-in session (page cookie or API bearer token), in seconds.
    session_ttl_seconds: int = 8 * 3600
    #: Lifetime of an e-mail verification link, in seconds.
    verify_link_ttl_seconds: int = 24 * 3600
    #: Lifetime of a password-reset (or invitation) link, in seconds.
    reset_link_ttl_seconds: int = 600
    #: Argon2id cost: passes, memory in KiB, lanes (RFC 9106 §4, second option by default).
    password_time_cost: int = 3
    password_memory_kib: int = 64 * 1024
    password_parallelism: int = 4

    #: scrypt cost n of a learner's key export (2^17 = 128 MiB per guess).
    export_scrypt_n: int = 2**17

    # --- outgoing mail (SMTP) ---------------------------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: "none" (a local relay), "starttls" or "ssl".
    smtp_security: str = "none"
    #: The From address of every message.
    mail_from: str = "IMK Wallet <noreply@localhost>"
    #: Write messages as .eml files here instead of sending them (demo mode: data/mail).
    mail_dir: Path | None = None

    # --- identity provider (OpenID Connect) for the personal code ----------------------
    #: The provider's issuer URL; unset = personal codes cannot be linked.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    #: Space-separated scopes; must include "openid".
    oidc_scopes: str = "openid profile"
    #: The ID-token claim that carries the personal code.
    oidc_personal_code_claim: str = "personal_code"
    #: A prefix the provider writes before the code (for example "PNOLV-"), removed.
    oidc_personal_code_prefix: str = ""

    @field_validator("status_list_size")
    @classmethod
    def _herd_sized(cls, value: int) -> int:
        # Bitstring Status List §6.1: at least 131,072 entries, so one index hides in a herd.
        if value < 131_072 or value % 8:
            raise ValueError("IMK_STATUS_LIST_SIZE must be at least 131072 and a multiple of 8")
        return value

    @property
    def host(self) -> str:
        """The did:web host part of ``base_url`` (a port becomes ``%3A``, did:web §3.2)."""
        authority = self.base_url.split("://", 1)[-1].split("/", 1)[0]
        return authority.replace(":", "%3A")


def _decode_secret(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InputError("IMK_SECRET_KEY must be hex or base64url") from exc
    if len(raw) < MIN_SECRET_BYTES:
        raise InputError(f"IMK_SECRET_KEY must hold at least {MIN_SECRET_BYTES} random bytes")
    return raw


def _demo_secret(data_dir: Path) -> bytes:
    path = data_dir / "demo-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return _decode_secret(path.read_text())


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from ``IMK_*`` variables.

    :raises InputError: when the secret is missing or weak outside demo mode.
    """
    root = Path(environ.get("IMK_ROOT", "."))
    data_dir = Path(environ.get("IMK_DATA_DIR", root / "data"))
    demo = environ.get("IMK_DEMO", "").lower() in _TRUE
    accept_unknown = environ.get("IMK_STATUS_ACCEPT_UNKNOWN", "").lower() in _TRUE
    secret_text = environ.get("IMK_SECRET_KEY")
    if secret_text:
        secret = _decode_secret(secret_text)
    elif demo:
        secret = _demo_secret(data_dir)
    else:
        raise InputError("IMK_SECRET_KEY is required (or IMK_DEMO=1 for a local demo)")
    values: dict[str, object] = {
        "database_url": environ.get("IMK_DATABASE_URL", f"sqlite:///{data_dir / 'imk.db'}"),
        "data_dir": data_dir,
        "issuers_dir": Path(environ.get("IMK_ISSUERS_DIR", root / "issuers")),
        "keys_dir": Path(environ.get("IMK_KEYS_DIR", root / "keys")),
        "schemas_dir": Path(environ.get("IMK_SCHEMAS_DIR", root / "schemas")),
        "secret_key": secret,
        "demo": demo,
        "status_accept_unknown": accept_unknown,
    }
    if "IMK_MAIL_DIR" in environ:
        values["mail_dir"] = Path(environ["IMK_MAIL_DIR"])
    elif demo and "IMK_SMTP_HOST" not in environ:
        values["mail_dir"] = data_dir / "mail"
    if "IMK_BASE_URL" in environ:
        values["base_url"] = environ["IMK_BASE_URL"].rstrip("/")
    for name, key in (
        ("IMK_MAX_BODY_BYTES", "max_body_bytes"),
        ("IMK_CACHE_TTL_SECONDS", "cache_ttl_seconds"),
        ("IMK_CHALLENGE_TTL_SECONDS", "challenge_ttl_seconds"),
        ("IMK_STATUS_INTERVAL_SECONDS", "status_interval_seconds"),
        ("IMK_STATUS_LIST_SIZE", "status_list_size"),
        ("IMK_STATUS_TTL_SECONDS", "status_ttl_seconds"),
        ("IMK_STATUS_VALIDITY_SECONDS", "status_validity_seconds"),
        ("IMK_STATUS_HOSTS", "status_hosts"),
        ("IMK_STATUS_FETCH_TIMEOUT_SECONDS", "status_fetch_timeout_seconds"),
        ("IMK_BATCH_MAX_ROWS", "batch_max_rows"),
        ("IMK_BATCH_MAX_BYTES", "batch_max_bytes"),
        ("IMK_BATCH_STALE_SECONDS", "batch_stale_seconds"),
        ("IMK_SESSION_TTL_SECONDS", "session_ttl_seconds"),
        ("IMK_VERIFY_LINK_TTL_SECONDS", "verify_link_ttl_seconds"),
        ("IMK_RESET_LINK_TTL_SECONDS", "reset_link_ttl_seconds"),
        ("IMK_PASSWORD_TIME_COST", "password_time_cost"),
        ("IMK_PASSWORD_MEMORY_KIB", "password_memory_kib"),
        ("IMK_PASSWORD_PARALLELISM", "password_parallelism"),
        ("IMK_EXPORT_SCRYPT_N", "export_scrypt_n"),
        ("IMK_SMTP_HOST", "smtp_host"),
        ("IMK_SMTP_PORT", "smtp_port"),
        ("IMK_SMTP_USERNAME", "smtp_username"),
        ("IMK_SMTP_PASSWORD", "smtp_password"),
        ("IMK_SMTP_SECURITY", "smtp_security"),
        ("IMK_MAIL_FROM", "mail_from"),
        ("IMK_OIDC_ISSUER", "oidc_issuer"),
        ("IMK_OIDC_CLIENT_ID", "oidc_client_id"),
        ("IMK_OIDC_CLIENT_SECRET", "oidc_client_secret"),
        ("IMK_OIDC_SCOPES", "oidc_scopes"),
        ("IMK_OIDC_PERSONAL_CODE_CLAIM", "oidc_personal_code_claim"),
        ("IMK_OIDC_PERSONAL_CODE_PREFIX", "oidc_personal_code_prefix"),
    ):
        if name in environ:
            values[key] = environ[name]
    if environ.get("IMK_TEST_MODE", "").lower() in _TRUE:
        # Crash and pause points exist for the crash tests only; never honoured otherwise.
        for name, key in (
            ("IMK_CRASH_AT", "crash_at"),
            ("IMK_PAUSE_AT", "pause_at"),
            ("IMK_PAUSE_FILE", "pause_file"),
        ):
            if environ.get(name):
                values[key] = environ[name]
    return Settings.model_validate(values)
