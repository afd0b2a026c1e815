"""The trust registry (``issuers/``) and the per-process key history.

The registry is files, reviewed like configuration and read at start: one
``issuers/{slug}/issuer.json`` per institution (format in ``docs/issuers.md``). It is never
written by the running service; :func:`scaffold_entry` writes a new entry for
``imk issuer add``. The key history of institutions that sign here lives in the database
(``issuer_key``); :class:`KeyHistory` keeps all of it, plus the keys that the registry
publishes for external institutions, in memory and re-reads the table at most once per
``ttl`` seconds, so verifying a credential needs no database read (DESIGN §4).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from wallet.db import crud
from wallet.db.models import IssuerKey
from wallet.dids import issuer_did, issuer_https_id
from wallet.errors import (
    ConflictError,
    InputError,
    KeyValidityError,
    NotFoundError,
    TrustError,
    UnknownIssuerError,
    UnknownKeyError,
    WalletError,
)
from wallet.jose import JWK, loads_object, public_jwk

ENTRY_FILE = "issuer.json"
SLUG_PATTERN = re.compile(r"[a-z0-9-]{2,64}")
#: Slugs that name something other than an institution (``keys/service/``).
RESERVED_SLUGS = frozenset({"service"})
GENERIC_TYPE = "generic"
_TYPE_PATTERN = re.compile(r"[a-z0-9-]{1,64}")
_LEGAL_NUMBER = re.compile(r"[0-9]{11}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----"
)
_ENTRY_MEMBERS = frozenset(
    {
        "slug", "name", "registrationNumber", "legalRegistrationNumber", "country",
        "accreditation", "types", "demo", "external", "did", "iss", "keys", "elmo",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Accreditation:
    """One accreditation decision: the types it covers and when (``valid_until`` exclusive)."""

    types: frozenset[str]
    valid_from: int
    valid_until: int | None
    decision: str

    def covers(self, type_name: str, at: int) -> bool:
        """Whether it covers ``type_name`` at Unix time ``at``."""
        return (
            type_name in self.types
            and self.valid_from <= at
            and (self.valid_until is None or at < self.valid_until)
        )


@dataclass(frozen=True)
class KeyRecord:
    """One verifying key with its life: state and validity window (``valid_until`` exclusive)."""

    kid: str
    issuer_slug: str
    alg: str
    jwk: JWK
    state: str
    valid_from: int
    valid_until: int | None
    compromised_since: int | None

    def check_usable_at(self, signed_at: int) -> None:
        """Check that the key may have signed at ``signed_at`` (the credential's ``iat``).

        DESIGN §4: a key verifies what it signed inside its window; a compromised key
        verifies nothing signed at or after ``compromised_since``. The retirement second
        itself is inside the window: ``iat`` has one-second resolution, and a credential
        signed in that second was signed before the rotation committed (the private key
        is destroyed only then).

        :raises KeyValidityError: outside the window or after the compromise.
        """
        if signed_at < self.valid_from:
            raise KeyValidityError("the key was not yet valid at signing time")
        if self.valid_until is not None and signed_at > self.valid_until:
            raise KeyValidityError("the key was retired before signing time")
        if self.compromised_since is not None and signed_at >= self.compromised_since:
            raise KeyValidityError("the key was compromised at signing time")


@dataclass(frozen=True)
class IssuerEntry:
    """One institution of the registry.

    ``did`` and ``https_id`` are derived from the base URL for institutions that sign here;
    for external ones they come from the entry and either may be ``""`` when not given.
    ``keys`` holds the published keys of an external institution (empty for ours, whose
    keys are in the database). ``elmo_certificates`` (DER) may sign the institution's EMREX
    ELMO batch files; unsigned ones are read only when ``elmo_allow_unsigned``.
    """

    slug: str
    names: Mapping[str, str]
    registration_number: str | None
    country: str
    accreditations: tuple[Accreditation, ...]
    types: frozenset[str]
    did: str
    https_id: str
    demo: bool
    external: bool
    legal_registration_number: str | None = None
    keys: tuple[KeyRecord, ...] = ()
    elmo_certificates: tuple[bytes, ...] = field(default=(), repr=False)
    elmo_allow_unsigned: bool = False

    def check_accredited(self, type_name: str, at: int) -> None:
        """Check that the institution may issue ``type_name`` at signing time ``at``.

        Judged at signing time (DESIGN §4): a diploma signed while the accreditation held
        stays valid after the institution closes.

        :raises TrustError: when the type is not among its types or no accreditation for it
            was valid at ``at``.
        """
        if type_name not in self.types:
            raise TrustError(f"the issuer may not issue credentials of type {type_name!r}")
        if not any(accreditation.covers(type_name, at) for accreditation in self.accreditations):
            raise TrustError(f"the issuer was not accredited for {type_name!r} at signing time")


@dataclass(frozen=True)
class Registry:
    """Every institution loaded from ``issuers/``, by slug and by identifier."""

    issuers: Mapping[str, IssuerEntry]
    _by_identifier: Mapping[str, IssuerEntry] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[str, IssuerEntry] = {}
        for entry in self.issuers.values():
            for identifier in (entry.did, entry.https_id):
                if not identifier:
                    continue
                if identifier in index:
                    raise InputError(f"two registry entries share the identifier {identifier}")
                index[identifier] = entry
        object.__setattr__(self, "_by_identifier", index)

    def by_slug(self, slug: str) -> IssuerEntry:
        """The entry of ``slug``.

        :raises NotFoundError: when there is none (or it is a demo entry outside demo mode).
        """
        entry = self.issuers.get(slug)
        if entry is None:
            raise NotFoundError(f"no issuer {slug!r} in the registry")
        return entry

    def by_identifier(self, identifier: str) -> IssuerEntry:
        """The entry whose DID or HTTPS identifier is ``identifier``.

        :raises UnknownIssuerError: when no registered institution has it.
        """
        entry = self._by_identifier.get(identifier)
        if entry is None:
            raise UnknownIssuerError("the issuer is not in the trust registry")
        return entry


# --- loading ----------------------------------------------------------------------------


class _Bad(Exception):
    """A malformed member; turned into an InputError naming the file."""


def _time(value: object, what: str, *, end: bool = False) -> int:
    """Unix seconds from an ISO date (an end date covers its whole day) or date-time."""
    if not isinstance(value, str):
        raise _Bad(f"{what} must be an ISO date")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return int((moment + timedelta(days=1 if end else 0)).timestamp())
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Bad(f"{what} is not an ISO date: {value!r}") from exc
    if parsed.tzinfo is None:
        raise _Bad(f"{what} needs a time zone: {value!r}")
    return int(parsed.timestamp())


def _optional_time(value: object, what: str, *, end: bool = False) -> int | None:
    return None if value is None else _time(value, what, end=end)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{what} must be a non-empty string")
    return value


def _optional_text(value: object, what: str, pattern: re.Pattern[str] | None = None) -> str | None:
    if value is None:
        return None
    text = _text(value, what)
    if pattern is not None and not pattern.fullmatch(text):
        raise _Bad(f"{what} has the wrong form: {text!r}")
    return text


def _type_names(value: object, what: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and _TYPE_PATTERN.fullmatch(item) for item in value
    ):
        raise _Bad(f"{what} must be a list of type names")
    return frozenset(value)


def _accreditation(value: object, types: frozenset[str], index: int) -> Accreditation:
    what = f"accreditation[{index}]"
    if not isinstance(value, dict):
        raise _Bad(f"{what} must be an object")
    covered = _type_names(value.get("types"), f"{what}.types")
    if not covered <= types:
        raise _Bad(f"{what} covers types the issuer does not issue: {sorted(covered - types)}")
    return Accreditation(
        types=covered,
        valid_from=_time(value.get("validFrom"), f"{what}.validFrom"),
        valid_until=_optional_time(value.get("validUntil"), f"{what}.validUntil", end=True),
        decision=_text(value.get("decision"), f"{what}.decision"),
    )


def _external_key(value: object, slug: str, index: int) -> KeyRecord:
    what = f"keys[{index}]"
    if not isinstance(value, dict):
        raise _Bad(f"{what} must be an object")
    kid = _text(value.get("kid"), f"{what}.kid")
    try:
        jwk = public_jwk(value.get("jwk") or {})
    except WalletError as exc:
        raise _Bad(f"{what}.jwk: {exc.description}") from exc
    valid_until = _optional_time(value.get("validUntil"), f"{what}.validUntil", end=True)
    since = _optional_time(value.get("compromisedSince"), f"{what}.compromisedSince")
    state = "compromised" if since is not None else "retired" if valid_until else "current"
    return KeyRecord(
        kid=kid,
        issuer_slug=slug,
        alg=jwk.alg,
        jwk=jwk,
        state=state,
        valid_from=_time(value.get("validFrom"), f"{what}.validFrom"),
        valid_until=valid_until,
        compromised_since=since,
    )


def _elmo(value: object, folder: Path | None) -> tuple[tuple[bytes, ...], bool]:
    """The ``elmo`` block: certificates (PEM text or a file in the entry's folder) as DER."""
    if not isinstance(value, dict) or set(value) - {"certificates", "allowUnsigned"}:
        raise _Bad("elmo must be an object with certificates and/or allowUnsigned")
    allow_unsigned = value.get("allowUnsigned", False)
    raw = value.get("certificates", [])
    if not isinstance(allow_unsigned, bool) or not isinstance(raw, list):
        raise _Bad("elmo.certificates must be a list and elmo.allowUnsigned true or false")
    certificates: list[bytes] = []
    for index, item in enumerate(raw):
        what = f"elmo.certificates[{index}]"
        text = _text(item, what)
        if "-----BEGIN" not in text:
            text = _certificate_file(text, folder, what)
        blocks = _PEM_CERTIFICATE.findall(text)
        if not blocks:
            raise _Bad(f"{what} holds no PEM certificate")
        for block in blocks:
            try:
                der = base64.b64decode("".join(block.split()), validate=True)
            except binascii.Error as exc:
                raise _Bad(f"{what} is not valid PEM") from exc
            if not der.startswith(b"\x30"):
                raise _Bad(f"{what} is not a DER certificate")
            certificates.append(der)
    return tuple(certificates), allow_unsigned


def _certificate_file(name: str, folder: Path | None, what: str) -> str:
    """The text of a certificate file named relative to the entry's folder (never outside)."""
    if folder is None:
        raise _Bad(f"{what}: a certificate file is read only from the entry's folder")
    base = folder.resolve()
    path = (folder / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(base):
        raise _Bad(f"{what} must name a file inside the entry's folder")
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Bad(f"{what}: cannot read {name}") from exc


def parse_entry(
    data: Mapping[str, Any], *, slug: str, base_url: str, folder: Path | None = None
) -> IssuerEntry:
    """Build an :class:`IssuerEntry` from the JSON of ``issuers/{slug}/issuer.json``.

    :param folder: the entry's folder, where ``elmo.certificates`` may name files.
    :raises InputError: naming the first malformed member.
    """
    try:
        return _parse_entry(data, slug=slug, base_url=base_url, folder=folder)
    except _Bad as exc:
        raise InputError(str(exc)) from exc


def _parse_entry(
    data: Mapping[str, Any], *, slug: str, base_url: str, folder: Path | None
) -> IssuerEntry:
    unknown = set(data) - _ENTRY_MEMBERS
    if unknown:
        raise _Bad(f"unknown members {sorted(unknown)}")
    if data.get("slug") != slug:
        raise _Bad(f"slug must be {slug!r}, the folder name")
    names = data.get("name")
    if not isinstance(names, dict) or not {"lv", "en"} <= set(names):
        raise _Bad("name must be an object with at least lv and en")
    for language, text in names.items():
        _text(text, f"name.{language}")
    types = _type_names(data.get("types"), "types")
    raw_accreditations = data.get("accreditation", [])
    if not isinstance(raw_accreditations, list):
        raise _Bad("accreditation must be a list")
    external = data.get("external", False)
    demo = data.get("demo", False)
    if not isinstance(external, bool) or not isinstance(demo, bool):
        raise _Bad("external and demo must be true or false")
    if external:
        did = _optional_text(data.get("did"), "did") or ""
        https_id = _optional_text(data.get("iss"), "iss") or ""
        if not did and not https_id:
            raise _Bad("an external issuer needs did and/or iss")
        raw_keys = data.get("keys", [])
        if not isinstance(raw_keys, list):
            raise _Bad("keys must be a list")
        keys = tuple(_external_key(item, slug, i) for i, item in enumerate(raw_keys))
        if len({key.kid for key in keys}) != len(keys):
            raise _Bad("two keys share a kid")
    else:
        if {"did", "iss", "keys"} & set(data):
            raise _Bad("did, iss and keys belong to external issuers only (ours are derived)")
        did, https_id, keys = issuer_did(base_url, slug), issuer_https_id(base_url, slug), ()
    country = data.get("country", "LV")
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise _Bad("country must be an ISO 3166-1 alpha-2 code")
    elmo_certificates, elmo_allow_unsigned = _elmo(data.get("elmo", {}), folder)
    return IssuerEntry(
        slug=slug,
        names=dict(names),
        registration_number=_optional_text(data.get("registrationNumber"), "registrationNumber"),
        legal_registration_number=_optional_text(
            data.get("legalRegistrationNumber"), "legalRegistrationNumber", _LEGAL_NUMBER
        ),
        country=country,
        accreditations=tuple(
            _accreditation(item, types, i) for i, item in enumerate(raw_accreditations)
        ),
        types=types,
        did=did,
        https_id=https_id,
        demo=demo,
        external=external,
        keys=keys,
        elmo_certificates=elmo_certificates,
        elmo_allow_unsigned=elmo_allow_unsigned,
    )


def load_registry(issuers_dir: Path, *, base_url: str, demo: bool) -> Registry:
    """Read every ``{slug}/issuer.json`` under ``issuers_dir``.

    :param demo: entries marked ``"demo": true`` load only when this is True.
    :raises InputError: for a malformed entry, naming its file.
    """
    issuers: dict[str, IssuerEntry] = {}
    if not issuers_dir.is_dir():
        return Registry(issuers={})
    for folder in sorted(issuers_dir.iterdir()):
        path = folder / ENTRY_FILE
        if not folder.is_dir() or not path.is_file():
            continue
        try:
            data = loads_object(path.read_bytes(), what=str(path))
            entry = parse_entry(data, slug=folder.name, base_url=base_url, folder=folder)
        except InputError as exc:
            raise InputError(f"{path}: {exc.description}") from exc
        if entry.demo and not demo:
            continue
        issuers[entry.slug] = entry
    return Registry(issuers=issuers)


def check_slug(slug: str) -> None:
    """Check that ``slug`` can name an institution: ``[a-z0-9-]{2,64}``, not reserved.

    :raises InputError: otherwise.
    """
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug) or slug in RESERVED_SLUGS:
        raise InputError("an issuer slug is 2-64 of a-z, 0-9 and '-', and not 'service'")


def scaffold_entry(
    issuers_dir: Path, slug: str, *, source: Mapping[str, Any] | None, now: int
) -> Path:
    """Write ``issuers/{slug}/issuer.json`` for ``imk issuer add``.

    From ``source`` (the ``--from`` JSON; its ``slug`` is set to ``slug``), or else a
    template whose placeholders (in angle brackets) the maintainer fills in and reviews.

    :param now: the accreditation date the template proposes.
    :raises InputError: for a bad slug or a ``source`` that is not a valid entry.
    :raises ConflictError: when the slug exists already.
    """
    check_slug(slug)
    if source is not None:
        entry = dict(source)
        entry["slug"] = slug
        parse_entry(entry, slug=slug, base_url="https://registry.invalid")
    else:
        today = datetime.fromtimestamp(now, UTC).date().isoformat()
        entry = {
            "slug": slug,
            "name": {"lv": "<nosaukums latviski>", "en": "<name in English>"},
            "registrationNumber": None,
            "legalRegistrationNumber": None,
            "country": "LV",
            "accreditation": [
                {"types": [], "validFrom": today, "validUntil": None, "decision": "<decision>"}
            ],
            "types": [],
            "demo": False,
        }
    folder = issuers_dir / slug
    try:
        folder.mkdir(parents=True)
    except FileExistsError as exc:
        raise ConflictError(f"the registry already has an issuer {slug!r}") from exc
    path = folder / ENTRY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entry, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path


# --- key history ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    by_kid: Mapping[tuple[str, str], KeyRecord]
    by_issuer: Mapping[str, list[KeyRecord]]
    taken_at: float


class KeyHistory:
    """Every key of every issuer in memory: ``issuer_key`` rows plus external registry keys.

    The table is re-read when the snapshot is ``ttl`` seconds old (0 = on every call);
    otherwise :meth:`lookup` is a dict lookup with no database access. The constructor does
    no I/O; the first call reads the table. Snapshots are replaced whole, so concurrent
    readers never see a half-built one.
    """

    def __init__(
        self, engine: Engine, registry: Registry, *, ttl: float, clock: Callable[[], float]
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._external = [key for entry in registry.issuers.values() for key in entry.keys]
        self._jwk_cache: dict[tuple[str, str], JWK] = {}
        self._snapshot = _Snapshot(by_kid={}, by_issuer={}, taken_at=float("-inf"))

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        if self._clock() - snapshot.taken_at >= self._ttl:
            self.refresh()
            snapshot = self._snapshot
        return snapshot

    def lookup(self, issuer_slug: str, kid: str) -> KeyRecord:
        """The key ``kid`` of ``issuer_slug``.

        :raises UnknownKeyError: when that issuer has no such key (a kid of another issuer
            is unknown too).
        """
        record = self._current().by_kid.get((issuer_slug, kid))
        if record is None:
            raise UnknownKeyError("the issuer has no key with this kid")
        return record

    def keys_of(self, issuer_slug: str) -> list[KeyRecord]:
        """Every key of the issuer, oldest first (empty when it has none)."""
        return list(self._current().by_issuer.get(issuer_slug, []))

    def refresh(self) -> None:
        """Re-read the ``issuer_key`` table now."""
        taken_at = self._clock()
        with Session(self._engine) as session:
            rows = crud.all_keys(session)
        records = [self._record(row) for row in rows] + self._external
        by_kid: dict[tuple[str, str], KeyRecord] = {}
        by_issuer: dict[str, list[KeyRecord]] = {}
        for record in records:
            by_kid[(record.issuer_slug, record.kid)] = record
            by_issuer.setdefault(record.issuer_slug, []).append(record)
        for keys in by_issuer.values():
            keys.sort(key=lambda key: (key.valid_from, key.kid))
        self._snapshot = _Snapshot(by_kid=by_kid, by_issuer=by_issuer, taken_at=taken_at)

    def _record(self, row: IssuerKey) -> KeyRecord:
        # Parsing a JWK checks the point (small order etc.); do it once per key, not per read.
        cache_key = (row.alg, row.public_jwk)
        jwk = self._jwk_cache.get(cache_key)
        if jwk is None:
            jwk = public_jwk(json.loads(row.public_jwk), alg=row.alg)
            self._jwk_cache[cache_key] = jwk
        return KeyRecord(
            kid=row.kid,
            issuer_slug=row.issuer_slug,
            alg=row.alg,
            jwk=jwk,
            state=row.state,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            compromised_since=row.compromised_since,
        )
