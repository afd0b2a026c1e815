"""Private signing keys of the institutions that sign here, and of the service (``keys/``).

Files: ``keys/{slug}/{thumbprint}.pem`` (RFC 7638 thumbprint, so the name is safe and
unique), PKCS#8 encrypted with a passphrase derived from the service secret
(``derive_secret(secret, "imk/key-file")`` as hex), created with mode 0600 in folders of
mode 0700, never logged. The key history (kid, alg, state, window) is the ``issuer_key``
table, so every process sees it.

Transactions: the caller owns them. No method here commits, except :meth:`service_key`
when it creates the service key. File writes happen at once and come before the row, so a
rollback leaves at worst an unused encrypted file. File deletions (the private part of a
retired or compromised key is destroyed, DESIGN §4) are deferred until the caller's
session commits, and dropped if it rolls back, so a retirement that did not happen never
loses its key.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from wallet.db import crud
from wallet.db.models import IssuerKey
from wallet.errors import (
    AlgorithmError,
    ConflictError,
    InputError,
    NotFoundError,
    PayloadTooLargeError,
)
from wallet.jose import SigningKey, derive_secret, encrypt_pem, generate_signing_key, load_pem
from wallet.trust import IssuerEntry

KEY_FILE_LABEL = "imk/key-file"
SERVICE_SLUG = "service"
DEFAULT_ALG = "EdDSA"
#: Largest PEM file :meth:`Keystore.import_key` reads.
MAX_PEM_BYTES = 64 * 1024
_SLUG = re.compile(r"[a-z0-9-]{2,64}")
_PENDING = "wallet.keystore.pending_deletions"


def _on_commit(session: Session) -> None:
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit on commit, and alone on rollback or close: either way the
    # pending deletions of this (outermost) transaction are done or void.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _delete_after_commit(session: Session, path: Path) -> None:
    """Delete ``path`` once ``session`` commits; forget it if the session rolls back."""
    if not session.info.get("wallet.keystore.listening"):
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_transaction_end", _on_transaction_end)
        session.info["wallet.keystore.listening"] = True
    session.info.setdefault(_PENDING, []).append(path)


class Keystore:
    """Generate, import, rotate, mark compromised and load the private signing keys.

    :param keys_dir: the ``keys/`` folder (``IMK_KEYS_DIR``), shared by every host.
    :param secret: the service's master secret; only a derived passphrase is used.
    :param service_did: the DID of the service (``did:web:{host}``), used in its own kid.
    """

    def __init__(self, keys_dir: Path, secret: bytes, *, service_did: str | None = None) -> None:
        self._dir = keys_dir
        self._passphrase = derive_secret(secret, KEY_FILE_LABEL).hex().encode("ascii")
        self._service_did = service_did or SERVICE_SLUG
        self._memo: dict[str, tuple[str, SigningKey]] = {}

    # --- files ---

    def _path(self, slug: str, thumbprint: str) -> Path:
        if not _SLUG.fullmatch(slug):
            raise InputError("bad issuer slug")
        return self._dir / slug / f"{thumbprint}.pem"

    def _write(self, slug: str, key: SigningKey) -> Path:
        path = self._path(slug, key.public.thumbprint)
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        data = encrypt_pem(key, self._passphrase)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise ConflictError("this key is in the keystore already") from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return path

    def _load(self, slug: str, kid: str) -> SigningKey:
        path = self._path(slug, kid.rsplit("#", 1)[-1])
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"the key file of {slug!r}'s current key is missing") from exc
        return load_pem(data, self._passphrase)

    # --- key life ---

    def _install(
        self, session: Session, *, slug: str, id_prefix: str, key: SigningKey, now: int
    ) -> IssuerKey:
        """Retire the current key (if any) and add ``key`` as the current one; no commit."""
        path = self._write(slug, key)
        try:
            old = crud.current_key(session, issuer_slug=slug)
            if old is not None:
                old.state = "retired"
                old.valid_until = now
                session.add(old)
                # Flushed first: the partial unique index allows one current key per issuer.
                session.flush()
                _delete_after_commit(session, self._path(slug, old.kid.rsplit("#", 1)[-1]))
            members = dict(sorted(key.public.members.items()))
            row = IssuerKey(
                issuer_slug=slug,
                kid=f"{id_prefix}#{key.public.thumbprint}",
                alg=key.alg,
                public_jwk=json.dumps(members, separators=(",", ":")),
                state="current",
                valid_from=now,
                created_at=now,
            )
            crud.add_issuer_key(session, row=row)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return row

    def _own(self, issuer: IssuerEntry) -> None:
        if issuer.external:
            raise InputError(f"{issuer.slug!r} is an external issuer: it signs elsewhere")

    def create_key(self, session: Session, *, issuer: IssuerEntry, alg: str, now: int) -> IssuerKey:
        """Generate a key for ``issuer`` and make it current; retire the previous current key.

        kid = ``{issuer.did}#{thumbprint}``, valid from ``now``. Flushes, does not commit;
        a retired key's file is deleted when the caller commits.

        :param alg: ``EdDSA`` or ``ES256``.
        :raises AlgorithmError: for another algorithm.
        :raises InputError: for an external issuer.
        :raises ConflictError: when another process made a key current at the same time.
        """
        self._own(issuer)
        key = generate_signing_key(alg)
        return self._install(session, slug=issuer.slug, id_prefix=issuer.did, key=key, now=now)

    def import_key(
        self, session: Session, *, issuer: IssuerEntry, pem: bytes, now: int
    ) -> IssuerKey:
        """Import an UNENCRYPTED PEM private key (PKCS#8 or traditional) of Ed25519 or P-256.

        It is stored encrypted like a generated key and becomes current, as in
        :meth:`create_key` (same transaction rules).

        :raises InputError: when it is not such a key (RSA and other curves included), is
            encrypted, or the issuer is external.
        :raises PayloadTooLargeError: above :data:`MAX_PEM_BYTES`.
        :raises ConflictError: when this key is in the keystore already.
        """
        self._own(issuer)
        if len(pem) > MAX_PEM_BYTES:
            raise PayloadTooLargeError(f"a PEM key file is at most {MAX_PEM_BYTES} bytes")
        try:
            key = load_pem(pem, None)
        except AlgorithmError as exc:
            raise InputError("only Ed25519 and P-256 private keys can be imported") from exc
        return self._install(session, slug=issuer.slug, id_prefix=issuer.did, key=key, now=now)

    def rotate(
        self, session: Session, *, issuer: IssuerEntry, now: int, alg: str | None = None
    ) -> IssuerKey:
        """Retire the current key (``valid_until=now``) and create a new current one.

        The retired key stays in the history and keeps verifying what it signed; its
        private file is destroyed when the caller commits. With no current key (after a
        compromise) this just creates one.

        :param alg: the new key's algorithm; by default the old key's (EdDSA when none).
        :raises AlgorithmError: for an algorithm other than EdDSA or ES256.
        """
        old = crud.current_key(session, issuer_slug=issuer.slug)
        chosen = alg or (old.alg if old is not None else DEFAULT_ALG)
        return self.create_key(session, issuer=issuer, alg=chosen, now=now)

    def mark_compromised(
        self, session: Session, *, issuer_slug: str, kid: str, since: int
    ) -> IssuerKey:
        """Mark a key compromised since ``since``: it verifies nothing signed at or after it.

        If it was the current key the issuer has no current key afterwards and cannot sign
        until ``rotate``; its private file is destroyed when the caller commits. Marking
        again keeps the earlier date. Flushes, does not commit.

        :raises NotFoundError: when ``issuer_slug`` has no key ``kid``.
        """
        row = crud.get_key(session, kid=kid)
        if row.issuer_slug != issuer_slug:
            raise NotFoundError("no such key")
        if row.state == "current":
            _delete_after_commit(session, self._path(issuer_slug, kid.rsplit("#", 1)[-1]))
        row.state = "compromised"
        if row.compromised_since is None or since < row.compromised_since:
            row.compromised_since = since
        session.add(row)
        session.flush()
        return row

    def signing_key(self, session: Session, *, issuer_slug: str) -> tuple[str, SigningKey]:
        """The current key of ``issuer_slug``: its kid and its private key.

        One query per call (so a rotation in another process is seen at once); the file is
        read and decrypted once per kid and kept in memory.

        :raises NotFoundError: when the issuer has no current key or its file is missing.
        """
        row = crud.current_key(session, issuer_slug=issuer_slug)
        if row is None:
            raise NotFoundError(f"{issuer_slug!r} has no current signing key")
        memo = self._memo.get(issuer_slug)
        if memo is None or memo[0] != row.kid:
            memo = (row.kid, self._load(issuer_slug, row.kid))
            self._memo[issuer_slug] = memo
        return memo

    def service_key(self, session: Session, *, now: int) -> tuple[str, SigningKey]:
        """The service's own current key (receipts, its own tokens), created on first use.

        kid = ``{service_did}#{thumbprint}``; the rows live in ``issuer_key`` under the
        slug ``service``. Creating it COMMITS the session (call it with a fresh one); when
        another process created it first, that key is used.
        """
        if crud.current_key(session, issuer_slug=SERVICE_SLUG) is None:
            key = generate_signing_key(DEFAULT_ALG)
            try:
                self._install(
                    session, slug=SERVICE_SLUG, id_prefix=self._service_did, key=key, now=now
                )
                session.commit()
            except ConflictError:
                session.rollback()
        return self.signing_key(session, issuer_slug=SERVICE_SLUG)
