"""Issuer use-cases: record → credential → validated → signed → recorded.

One call issues a batch (a single credential is a batch of one) in the caller's
transaction: every request is validated before anything is signed, a single bad request
refuses the whole batch with every bad field named, and the caller commits once
(DESIGN §5: a commit costs more than a signature). Issuing again under the same
``credentialId`` is idempotent for the same credential and format, adds an envelope for
the same credential in another format, and is refused for another credential (409).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlmodel import Session

from wallet import delivery, holder, personal_code, revocation, sdjwt_vc, status_refs
from wallet.accounts import normalise_email
from wallet.credential_types import GENERIC, CredentialType, TypeRegistry
from wallet.db import crud, delivery_crud, status_crud
from wallet.db.models import CredentialEnvelope, CredentialRecord, HolderWallet
from wallet.dids import resolve_did_jwk
from wallet.errors import (
    ConflictError,
    DataModelError,
    FieldProblem,
    InputError,
    JSONLDError,
    NotFoundError,
    PermissionDeniedError,
    RecordError,
    SchemaError,
    TrustError,
)
from wallet.holder import HolderContext
from wallet.jose import CompactSigner, dumps_sorted, parse_compact
from wallet.keystore import Keystore
from wallet.sdjwt import IssuedSDJWT, issue_sd_jwt, sd_jwt_signer
from wallet.status import IndexPermutation
from wallet.trust import IssuerEntry
from wallet.vc import (
    DC_SD_JWT,
    JWT_CLAIMS,
    VC_JWT,
    VERIFIABLE_CREDENTIAL,
    check_credential,
    envelope,
    format_datetime_stamp,
    is_url,
    secure_vc_jwt_json,
    types_of,
    vc_jwt_signer,
)
from wallet.vc.jsonld import expand_strict

#: Formats a credential can be issued in now.
FORMATS = (VC_JWT, DC_SD_JWT)
#: Largest batch accepted in one call.
MAX_BATCH = 10_000


@dataclass(frozen=True)
class Learner:
    """Who receives a credential; used for delivery, never signed into a vc+jwt."""

    personal_code: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class IssueRequest:
    """One credential to issue, as the VC API's ``{credential, options}`` carries it."""

    credential: Mapping[str, Any]
    format: str = VC_JWT
    credential_id: str | None = None
    learner: Learner | None = None
    #: The institution's own id of the row (batches): stored with the record.
    external_id: str | None = None
    #: The credentialId of an issued record this one corrects (revoked as "superseded").
    replaces: str | None = None
    #: The caller (a batch reader) validated the subject against the type's JSON Schema
    #: with this service's registry, so it is not validated again.
    subject_checked: bool = False


class IssuedCredential(NamedTuple):
    """One secured credential; ``created`` is False when an earlier identical one was returned."""

    credential_id: str
    format: str
    type_name: str
    kid: str
    iat: int
    token: str
    created: bool

    @property
    def enveloped(self) -> dict[str, Any]:
        """The ``EnvelopedVerifiableCredential`` the VC API returns."""
        return envelope(f"application/{self.format}", self.token)


@dataclass(frozen=True)
class IssuanceContext:
    """What issuing needs, built once per process by the web app or the CLI."""

    types: TypeRegistry
    keystore: Keystore
    learner_key: bytes
    #: Where credentials for a learner are delivered (None: recorded only, as in benches).
    holder: HolderContext | None = None
    #: The service's base URL, for the links of notifications and SD-JWT VC ``vct`` URLs.
    base_url: str = "http://127.0.0.1:8000"
    #: The random source of SD-JWT salts and decoys and of status-list permutation keys.
    random: Callable[[int], bytes] = secrets.token_bytes
    #: Entries of each status list opened (at least 131,072).
    status_list_size: int = 131_072


#: Members the service fills in when the credential leaves them out.
_DEFAULTED = ("issuer", "validFrom", "id")


class _Prepared(NamedTuple):
    # A named tuple: built once per credential on the issuance hot path.
    given: Mapping[str, Any]
    given_json: bytes
    extra: dict[str, Any]
    type_name: str
    title: str | None
    record_id: str
    content_hash: str
    learner_hash: str | None
    email_hash: str | None
    email: str | None
    personal_code: str | None
    format: str
    external_id: str | None
    replaces: str | None


def content_hash(credential: Mapping[str, Any]) -> str:
    """The fingerprint a record keeps of the credential it was issued for (same content,
    same fingerprint, whatever the member order)."""
    return hashlib.sha256(dumps_sorted(credential)).hexdigest()


def build_credential(
    ctype: CredentialType, subject: Mapping[str, Any], *, issuer_did: str
) -> dict[str, Any]:
    """An unsecured credential of a registered type around ``subject`` (for the CLI)."""
    return {
        "@context": list(ctype.contexts),
        "type": [VERIFIABLE_CREDENTIAL, ctype.w3c_type],
        "issuer": issuer_did,
        "credentialSubject": dict(subject),
    }


def _problem(prefix: str, pointer: str, message: str) -> FieldProblem:
    return FieldProblem(prefix + pointer, message)


def _check_registered(
    ctype: CredentialType, credential: Mapping[str, Any], prefix: str, *, subject_checked: bool
) -> list[FieldProblem]:
    problems = [_problem(prefix, p.pointer, p.message) for p in ctype.term_problems(credential)]
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        problems.append(_problem(prefix, "/credentialSubject", "must be one object for this type"))
        return problems
    if subject_checked:
        return problems
    try:
        ctype.check_subject(subject)
    except SchemaError as exc:
        problems.extend(
            _problem(prefix, "/credentialSubject" + p.pointer, p.message) for p in exc.problems
        )
    return problems


def _prepare(
    request: IssueRequest,
    *,
    issuer: IssuerEntry,
    ctx: IssuanceContext,
    now: int,
) -> _Prepared:
    """Validate one request and complete its credential; raise RecordError naming every problem.

    Pointers are relative to the VC API request body: ``/credential/...`` and ``/options/...``.
    """
    prefix = "/credential"
    if request.format not in FORMATS:
        raise InputError(f"format must be one of {list(FORMATS)}")
    given = request.credential
    if not isinstance(given, Mapping):
        raise RecordError(
            "the credential is not an object", [_problem(prefix, "", "must be an object")]
        )
    claims = sorted(JWT_CLAIMS & set(given))
    if claims:
        raise RecordError(
            "the credential carries JWT claims",
            [_problem(prefix, f"/{name}", "is a JWT claim the service sets") for name in claims],
        )
    if "credentialStatus" in given:
        raise RecordError(
            "the credential carries its own status",
            [_problem(prefix, "/credentialStatus", "is set by the service (its status lists)")],
        )
    credential = dict(given)
    credential.setdefault("issuer", issuer.did)
    if credential["issuer"] != issuer.did and not (
        isinstance(credential["issuer"], Mapping) and credential["issuer"].get("id") == issuer.did
    ):
        raise PermissionDeniedError(f"this token issues only as {issuer.did}")
    credential.setdefault("validFrom", format_datetime_stamp(now))
    record_id = request.credential_id or credential.get("id") or f"urn:uuid:{uuid.uuid4()}"
    if not isinstance(record_id, str) or not is_url(record_id) or len(record_id) > 512:
        raise RecordError(
            "invalid credentialId",
            [FieldProblem("/options/credentialId", "must be a URL of at most 512 characters")],
        )
    credential.setdefault("id", record_id)

    problems: list[FieldProblem] = []
    try:
        check_credential(credential)
    except DataModelError as exc:
        problems.append(_problem(prefix, "", exc.description))
    try:
        declared = types_of(credential)
    except DataModelError:
        declared = ()
    ctype = ctx.types.for_w3c_types(declared)
    type_name = ctype.name if ctype is not None else GENERIC
    try:
        issuer.check_accredited(type_name, now)
    except TrustError as exc:
        raise PermissionDeniedError(exc.description) from exc
    if ctype is not None:
        problems.extend(
            _check_registered(ctype, credential, prefix, subject_checked=request.subject_checked)
        )
    elif not problems:
        try:
            expand_strict(credential)
        except JSONLDError as exc:
            problems.append(_problem(prefix, "", exc.description))

    learner_hash = email_hash = email = code = None
    if request.format == DC_SD_JWT and ctype is None:
        problems.append(
            FieldProblem("/options/format", "only registered types are issued as SD-JWT VCs")
        )
    if request.learner is not None:
        if request.learner.personal_code is not None:
            try:
                code = personal_code.normalise(
                    request.learner.personal_code, pointer="/options/learner/personalCode"
                )
                learner_hash = personal_code.hash_identifier(ctx.learner_key, "pk", code)
            except RecordError as exc:
                problems.extend(exc.problems)
        if request.learner.email is not None:
            try:
                email = normalise_email(request.learner.email)
            except InputError:
                problems.append(FieldProblem("/options/learner/email", "not an e-mail address"))
            else:
                email_hash = personal_code.hash_identifier(ctx.learner_key, "email", email)
    if problems:
        raise RecordError("the credential does not match its type", problems)
    title = ctype.title(credential["credentialSubject"]) if ctype is not None else None
    if title is None and isinstance(credential.get("name"), str):
        title = credential["name"]
    # Sorted members make the content hash independent of member order; the same bytes are
    # then signed, so each credential is serialised once.
    given_json = dumps_sorted(given)
    return _Prepared(
        given=given,
        given_json=given_json,
        extra={name: credential[name] for name in _DEFAULTED if name not in given},
        type_name=type_name,
        title=title[:512] if title else None,
        record_id=record_id,
        content_hash=hashlib.sha256(given_json).hexdigest(),  # = content_hash(given)
        learner_hash=learner_hash,
        email_hash=email_hash,
        email=email,
        personal_code=code,
        format=request.format,
        external_id=request.external_id,
        replaces=request.replaces,
    )


def _wallets(
    session: Session,
    ctx: IssuanceContext,
    prepared: Sequence[_Prepared],
    existing: Mapping[str, Any],
    *,
    now: int,
) -> dict[str, HolderWallet]:
    """The wallet each new credential for a learner lands in (pending ones made as needed).

    A record issued before keeps the learner it was issued to: another envelope of it goes
    to the same wallet.
    """
    if ctx.holder is None:
        return {}
    learners: list[tuple[str | None, str | None, str | None]] = []
    for item in prepared:
        record = existing.get(item.record_id)
        if record is not None:
            learners.append((record.learner_hash, record.learner_email_hash, item.email))
        else:
            learners.append((item.learner_hash, item.email_hash, item.email))
    wallets = holder.wallets_for_learners(session, ctx=ctx.holder, learners=learners, now=now)
    return {
        item.record_id: wallet
        for item, wallet in zip(prepared, wallets, strict=True)
        if wallet is not None
    }


def _earlier_valid_from(
    envelopes: Mapping[tuple[str, str], CredentialEnvelope], record_id: str
) -> dict[str, Any]:
    """``validFrom`` of an envelope issued earlier for the record (empty when none)."""
    for (rid, fmt), row in envelopes.items():
        if rid != record_id:
            continue
        payload = parse_compact(row.token.split("~", 1)[0]).payload
        if fmt == VC_JWT and isinstance(payload.get("validFrom"), str):
            return {"validFrom": payload["validFrom"]}
        if fmt == DC_SD_JWT and isinstance(payload.get("nbf"), int):
            return {"validFrom": format_datetime_stamp(payload["nbf"])}
    return {}


class SaltPool:
    """16-byte salts cut from one large CSPRNG draw: one call of the random source per 256
    salts instead of one each (a draw costs microseconds; a diploma needs about twenty)."""

    __slots__ = ("_buffer", "_position", "_random")

    SALT = 16
    BLOCK = 16 * 256

    def __init__(self, random: Callable[[int], bytes]) -> None:
        self._random = random
        self._buffer = b""
        self._position = 0

    def __call__(self) -> bytes:
        if self._position + self.SALT > len(self._buffer):
            self._buffer = self._random(self.BLOCK)
            self._position = 0
        start = self._position
        self._position = start + self.SALT
        return self._buffer[start : self._position]


def decoys_for(count: int) -> int:
    """Decoy digests added to an ``_sd`` array of ``count`` real ones (RFC 9901 §4.2.5)."""
    return 1 + count // 4


def _sd_jwt_vc(
    ctx: IssuanceContext,
    issuer: IssuerEntry,
    item: _Prepared,
    extra: Mapping[str, Any],
    wallet: HolderWallet | None,
    signer: CompactSigner,
    *,
    slot: tuple[int, int] | None,
    salts: SaltPool,
    now: int,
) -> IssuedSDJWT:
    """Sign one record as an SD-JWT VC (``wallet.sdjwt_vc`` says what goes in it)."""
    ctype = ctx.types.get(item.type_name)
    credential: dict[str, Any] = {**item.given, **extra}
    holder_jwk = None
    if wallet is not None:
        subject = dict(credential["credentialSubject"])
        subject.setdefault("id", wallet.holder_did)
        credential["credentialSubject"] = subject
        holder_jwk = resolve_did_jwk(wallet.holder_did).members
    claims = sdjwt_vc.claims_of(
        credential, ctype=ctype, iss=issuer.https_id, base_url=ctx.base_url, iat=now,
        holder_jwk=holder_jwk, personal_code=item.personal_code,
    )  # fmt: skip
    if slot is not None:
        claims["status"] = status_refs.token_reference(ctx.base_url, issuer.slug, *slot)
    return issue_sd_jwt(
        claims, signer=signer, sd_paths=sdjwt_vc.sd_paths(ctype),
        salt=salts, decoys=decoys_for,
    )  # fmt: skip


def _slots(
    session: Session,
    ctx: IssuanceContext,
    issuer: IssuerEntry,
    prepared: Sequence[_Prepared],
    existing: Mapping[str, CredentialRecord],
    *,
    now: int,
) -> dict[str, tuple[int, int]]:
    """The status slot (list id, index) of every record of the batch (DESIGN §4).

    A new record gets a fresh slot, allocated in this transaction; another envelope of an
    earlier record shares that record's slot, so revoking the record revokes every envelope.
    """
    slots: dict[str, tuple[int, int]] = {}
    new_ids: list[str] = []
    for item in prepared:
        record = existing.get(item.record_id)
        if record is None:
            new_ids.append(item.record_id)
        elif record.status_list_id is not None and record.status_index is not None:
            slots[item.record_id] = (record.status_list_id, record.status_index)
    if not new_ids:
        return slots
    runs = status_crud.reserve(
        session, issuer_slug=issuer.slug, count=len(new_ids), size=ctx.status_list_size,
        new_key=lambda: ctx.random(16), now=now,
    )  # fmt: skip
    ids = iter(new_ids)
    for run in runs:
        permutation = IndexPermutation(run.list.permutation_key, run.list.size)
        list_id = run.list.id
        for position in range(run.first, run.first + run.length):
            slots[next(ids)] = (list_id, permutation(position))
    return slots


def _bound_to_holder(given: Mapping[str, Any], holder_did: str) -> bytes:
    """The credential's JSON with the learner's holder DID as the subject id (DESIGN §3),
    unless the institution named the subject itself."""
    subject = given.get("credentialSubject")
    if not isinstance(subject, Mapping) or "id" in subject:
        return dumps_sorted(given)
    return dumps_sorted({**given, "credentialSubject": {**subject, "id": holder_did}})


@dataclass
class BatchPlan:
    """A validated batch with everything it needs from the database before signing: the
    records issued before, the learners' wallets, the status slots and the signing key.

    Made by :func:`plan_batch` (which may add pending wallets and reserve status slots in
    the session), signed by :func:`sign_batch` (no database), recorded by
    :func:`record_batch`. A caller may commit between the steps: slots reserved by a plan
    that is never recorded are simply never used (an index is never handed out twice).
    """

    issuer: IssuerEntry
    prepared: list[_Prepared]
    existing: dict[str, CredentialRecord]
    envelopes: dict[tuple[str, str], CredentialEnvelope]
    wallets: dict[str, HolderWallet]
    slots: dict[str, tuple[int, int]]
    kid: str
    key: Any
    results: list[IssuedCredential] = field(default_factory=list)
    new_records: list[dict[str, Any]] = field(default_factory=list)
    new_envelopes: list[dict[str, Any]] = field(default_factory=list)
    new_ids: set[str] = field(default_factory=set)
    #: The token each new envelope delivers (an SD-JWT with all its disclosures).
    delivered: dict[tuple[str, str], str] = field(default_factory=dict)


def plan_batch(
    session: Session,
    *,
    ctx: IssuanceContext,
    issuer: IssuerEntry,
    requests: Sequence[IssueRequest],
    now: int,
) -> BatchPlan:
    """Validate every request and gather what signing needs (see :class:`BatchPlan`).

    :raises RecordError: naming every bad field of every bad request (pointers into the
        request body, prefixed with ``/<index>`` in batches of more than one); nothing is
        signed or recorded then.
    :raises ConflictError: when a credentialId names a record with other content, or a
        correction names a record that cannot be corrected.
    :raises PermissionDeniedError: when the issuer may not issue a type or as another issuer.
    """
    if not requests or len(requests) > MAX_BATCH:
        raise InputError(f"a batch holds 1 to {MAX_BATCH} credentials")
    prepared: list[_Prepared] = []
    problems: list[FieldProblem] = []
    single = len(requests) == 1
    for index, request in enumerate(requests):
        try:
            prepared.append(_prepare(request, issuer=issuer, ctx=ctx, now=now))
        except RecordError as exc:
            if single:
                raise
            problems.extend(FieldProblem(f"/{index}{p.pointer}", p.message) for p in exc.problems)
    if problems:
        raise RecordError("some credentials do not match their types", problems)
    keys = [(item.record_id, item.format) for item in prepared]
    if len(set(keys)) != len(keys):
        raise ConflictError("a batch names the same credentialId twice")
    ids = [item.record_id for item in prepared]
    existing = crud.get_records(session, credential_ids=ids)
    for item in prepared:
        record = existing.get(item.record_id)
        if record is not None and (
            record.content_hash != item.content_hash or record.issuer_slug != issuer.slug
        ):
            raise ConflictError(f"{item.record_id} already names another credential")
    _check_corrections(session, issuer, prepared, existing)
    envelopes = crud.get_envelopes_for(session, credential_ids=list(existing))
    try:
        kid, key = ctx.keystore.signing_key(session, issuer_slug=issuer.slug)
    except NotFoundError as exc:
        # After a compromise the institution has no current key until it rotates.
        raise ConflictError(
            f"{issuer.slug} has no current signing key (imk keys rotate {issuer.slug})"
        ) from exc
    return BatchPlan(
        issuer=issuer,
        prepared=prepared,
        existing=existing,
        envelopes=envelopes,
        wallets=_wallets(session, ctx, prepared, existing, now=now),
        slots=_slots(session, ctx, issuer, prepared, existing, now=now),
        kid=kid,
        key=key,
    )


def _check_corrections(
    session: Session,
    issuer: IssuerEntry,
    prepared: Sequence[_Prepared],
    existing: Mapping[str, CredentialRecord],
) -> None:
    """A correction names a record of the same issuer that is not revoked or corrected yet,
    and that no other credential of the batch corrects too."""
    named = [item.replaces for item in prepared if item.replaces and item.record_id not in existing]
    if not named:
        return
    if len(set(named)) != len(named):
        raise ConflictError("two credentials of the batch correct the same credential")
    old = crud.get_records(session, credential_ids=named)
    for credential_id in named:
        record = old.get(credential_id)
        if record is None or record.issuer_slug != issuer.slug:
            raise NotFoundError(f"no credential {credential_id} to correct")
        if record.replaced_by is not None:
            raise ConflictError(f"{credential_id} was already corrected by {record.replaced_by}")
        if record.status == 1:
            raise ConflictError(f"{credential_id} is revoked and cannot be corrected")


def sign_batch(
    plan: BatchPlan,
    *,
    ctx: IssuanceContext,
    now: int,
    batch_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchPlan:
    """Sign every new envelope of ``plan`` (no database access); ``progress`` is told how
    many requests are done, every :data:`PROGRESS_EVERY` and at the end."""
    issuer, kid = plan.issuer, plan.kid
    signer = vc_jwt_signer(kid=kid, key=plan.key)
    sd_signers: list[CompactSigner] = []

    def sd_signer() -> CompactSigner:
        if not sd_signers:
            sd_signers.append(sd_jwt_signer(plan.key, kid=kid))
        return sd_signers[0]

    salts = SaltPool(ctx.random)
    for done, item in enumerate(plan.prepared, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        record = plan.existing.get(item.record_id)
        if record is not None:
            earlier = plan.envelopes.get((item.record_id, item.format))
            if earlier is not None:
                plan.results.append(
                    IssuedCredential(
                        credential_id=item.record_id, format=item.format,
                        type_name=record.type_name, kid=earlier.kid, iat=earlier.iat,
                        token=earlier.token, created=False,
                    )
                )  # fmt: skip
                continue
        slot = plan.slots.get(item.record_id)
        if record is None and item.record_id not in plan.new_ids:
            assert slot is not None
            plan.new_ids.add(item.record_id)
            plan.new_records.append(
                {
                    "id": item.record_id, "issuer_slug": issuer.slug, "type_name": item.type_name,
                    "title": item.title, "content_hash": item.content_hash,
                    "learner_hash": item.learner_hash, "learner_email_hash": item.email_hash,
                    "batch_id": batch_id, "created_at": now,
                    "status_list_id": slot[0], "status_index": slot[1], "status": 0,
                    "external_id": item.external_id, "replaces": item.replaces,
                    "replaced_by": None,
                }
            )  # fmt: skip
        wallet = plan.wallets.get(item.record_id)
        extra = item.extra
        if record is not None and "validFrom" in extra:
            # Another envelope of the same record: the same validity, not a new start.
            extra = {**extra, **_earlier_valid_from(plan.envelopes, item.record_id)}
        if item.format == VC_JWT:
            given_json = item.given_json
            if wallet is not None:
                given_json = _bound_to_holder(item.given, wallet.holder_did)
            if slot is not None:
                extra = {
                    **extra,
                    "credentialStatus": status_refs.w3c_entries(ctx.base_url, issuer.slug, *slot),
                }
            token = stored = secure_vc_jwt_json(given_json, extra, signer=signer, iat=now)
        else:
            issued_sd = _sd_jwt_vc(
                ctx, issuer, item, extra, wallet, sd_signer(), slot=slot, salts=salts, now=now
            )
            # The record keeps the issuer-signed JWT without its disclosures (DESIGN §4):
            # an SD-JWT that discloses nothing. Only the learner's wallet gets them.
            token, stored = issued_sd.serialized, issued_sd.jwt + "~"
        plan.delivered[(item.record_id, item.format)] = token
        plan.new_envelopes.append(
            {"credential_id": item.record_id, "format": item.format, "kid": kid, "iat": now,
             "token": stored}
        )  # fmt: skip
        plan.results.append(
            IssuedCredential(
                credential_id=item.record_id, format=item.format, type_name=item.type_name,
                kid=kid, iat=now, token=token, created=True,
            )
        )  # fmt: skip
    if progress is not None:
        progress(len(plan.prepared))
    return plan


#: How often :func:`sign_batch` reports progress, in requests.
PROGRESS_EVERY = 250


def record_batch(
    session: Session,
    plan: BatchPlan,
    *,
    ctx: IssuanceContext,
    now: int,
    actor: str,
    batch_id: str | None = None,
    deliver: bool = True,
) -> list[IssuedCredential]:
    """Record the signed envelopes of ``plan`` and supersede what it corrects; the caller
    commits.

    :param deliver: put each credential into its learner's wallet now, in this transaction
        (single credentials); when False, leave it in the delivery outbox for
        ``wallet.delivery`` to put there after the commit (batches).
    """
    issuer = plan.issuer
    crud.insert_issued(session, records=plan.new_records, envelopes=plan.new_envelopes)
    by_id = {item.record_id: item for item in plan.prepared}
    for row in plan.new_records:
        if row["replaces"]:
            _supersede(session, issuer, old=row["replaces"], new=row["id"], actor=actor, now=now)
    if ctx.holder is not None:
        outbox: list[dict[str, Any]] = []
        for envelope_row in plan.new_envelopes:
            record_id = envelope_row["credential_id"]
            wallet = plan.wallets.get(record_id)
            if wallet is None:
                continue
            token = plan.delivered[(record_id, envelope_row["format"])]
            item = by_id[record_id]
            if deliver:
                holder.store(
                    session, ctx=ctx.holder, wallet=wallet, token=token, source="issued",
                    now=now, record_id=record_id,
                )  # fmt: skip
                delivery.notify_arrival(
                    session, base_url=ctx.base_url, issuer=issuer,
                    title=item.title or item.type_name, email=item.email, wallet=wallet, now=now,
                )  # fmt: skip
            else:
                assert wallet.id is not None
                outbox.append(
                    delivery.outbox_row(
                        ctx.holder, wallet_id=wallet.id, credential_id=record_id,
                        format=envelope_row["format"], issuer_slug=issuer.slug,
                        type_name=item.type_name, title=item.title, email=item.email,
                        tail=token[len(envelope_row["token"]) :], now=now,
                    )
                )  # fmt: skip
        if outbox:
            delivery_crud.insert_outbox(session, rows=outbox)
    if plan.new_envelopes:
        crud.add_audit(
            session, at=now, actor=actor, action="credential.issue",
            target=batch_id or plan.new_envelopes[0]["credential_id"],
            detail={"count": len(plan.new_envelopes), "kid": plan.kid},
        )  # fmt: skip
    return plan.results


def _supersede(
    session: Session, issuer: IssuerEntry, *, old: str, new: str, actor: str, now: int
) -> None:
    """Revoke ``old`` as superseded by ``new`` and link the two records both ways."""
    crud.link_correction(session, old=old, new=new)
    revocation.change_status(
        session, issuer_slug=issuer.slug, credential_id=old, action=revocation.Action.REVOKE,
        reason=f"superseded by {new}", actor=actor, now=now,
    )  # fmt: skip


def issue_batch(
    session: Session,
    *,
    ctx: IssuanceContext,
    issuer: IssuerEntry,
    requests: Sequence[IssueRequest],
    now: int,
    batch_id: str | None = None,
) -> list[IssuedCredential]:
    """Validate, sign and record a batch in the caller's transaction; the caller commits once.

    Each credential is delivered into its learner's wallet in the same transaction.

    :raises RecordError: naming every bad field of every bad request; nothing is signed or
        recorded then.
    :raises ConflictError: when a credentialId names a record with other content.
    :raises PermissionDeniedError: when the issuer may not issue a type or as another issuer.
    """
    plan = plan_batch(session, ctx=ctx, issuer=issuer, requests=requests, now=now)
    sign_batch(plan, ctx=ctx, now=now, batch_id=batch_id)
    return record_batch(
        session, plan, ctx=ctx, now=now, actor=f"issuer:{issuer.slug}", batch_id=batch_id
    )


__all__ = [
    "FORMATS",
    "BatchPlan",
    "IssuanceContext",
    "IssueRequest",
    "IssuedCredential",
    "Learner",
    "build_credential",
    "content_hash",
    "issue_batch",
    "plan_batch",
    "record_batch",
    "sign_batch",
]
