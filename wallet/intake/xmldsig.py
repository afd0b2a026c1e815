"""The enveloped XML-DSig signature of an ELMO file, checked against the registry.

EMREX files carry one ``ds:Signature`` with a single ``Reference URI=""`` and the
enveloped-signature transform (the ELMO schema's annotation; ``reference/domain.md``
§1.1), so the signature covers the whole document and nothing can be wrapped around or
beside the signed part. Anything else (another reference, an XPath or XSLT transform, an
unknown algorithm) refuses the file before a key is tried. The key is never taken from the
file: each certificate the registry lists for the institution is tried in turn, and
``KeyInfo`` serves only to say which certificate the sender claims. RSA-SHA1 is accepted
because EMREX producers still sign with it (the Finnish EMP code of 2024 does); the
algorithm is reported in :class:`~wallet.intake.rows.SignatureInfo`.

python-xmlsec (not signxml, which rejects real EMREX files) works on lxml's tree and
refuses to import when its libxml2 differs from lxml's ("lxml & xmlsec libxml2 library
version mismatch"); ``pyproject.toml`` pins a pair whose wheels agree.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence

import xmlsec

from wallet.errors import IntakeError
from wallet.intake.rows import SignatureInfo
from wallet.intake.xml_safety import Element

__all__ = ["DSIG_NS", "SIGNATURE_ALGORITHMS", "find_signatures", "verify_signatures"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_C = xmlsec.constants
_SIGNATURE_TRANSFORMS = {
    _C.TransformRsaSha1: "RSA-SHA1",
    _C.TransformRsaSha256: "RSA-SHA256",
    _C.TransformRsaSha384: "RSA-SHA384",
    _C.TransformRsaSha512: "RSA-SHA512",
    _C.TransformEcdsaSha256: "ECDSA-SHA256",
    _C.TransformEcdsaSha384: "ECDSA-SHA384",
    _C.TransformEcdsaSha512: "ECDSA-SHA512",
}
#: Signature methods accepted, by URI, with the name reported.
SIGNATURE_ALGORITHMS: dict[str, str] = {t.href: name for t, name in _SIGNATURE_TRANSFORMS.items()}
_DIGESTS = (_C.TransformSha1, _C.TransformSha256, _C.TransformSha384, _C.TransformSha512)
_CANONICALISATIONS = (
    _C.TransformInclC14N, _C.TransformInclC14NWithComments,
    _C.TransformExclC14N, _C.TransformExclC14NWithComments,
    _C.TransformInclC14N11, _C.TransformInclC14N11WithComments,
)  # fmt: skip
_DIGEST_URIS = frozenset(t.href for t in _DIGESTS)
_C14N_URIS = frozenset(t.href for t in _CANONICALISATIONS)
_ENVELOPED_URI = _C.TransformEnveloped.href


def _ds(name: str) -> str:
    return f"{{{DSIG_NS}}}{name}"


def find_signatures(root: Element, elmos: Iterable[Element]) -> list[Element]:
    """The file's signatures: ``ds:Signature`` children of the root or of an ``elmo``.

    Signatures deeper down (a diploma supplement may carry its own) are not the file's; they
    are covered by the file's signature like any other content.
    """
    found: list[Element] = []
    for parent in (root, *elmos):
        for signature in parent.iterchildren(_ds("Signature")):
            if signature not in found:
                found.append(signature)
    return found


def verify_signatures(
    root: Element,
    elmos: Sequence[Element],
    *,
    source: str,
    certificates: Sequence[bytes],
    allow_unsigned: bool,
    institution: str,
) -> tuple[SignatureInfo, ...]:
    """Check every signature of the file; each must verify with a listed certificate.

    Each signature has ``Reference URI=""``, so any one of them covers everything read.

    :param certificates: DER of the certificates the registry lists for the institution.
    :param allow_unsigned: whether the registry lets this institution send unsigned files.
    :param institution: names the institution in messages.
    :returns: one :class:`SignatureInfo` per signature, or one with ``signed=False``.
    :raises IntakeError: unsigned and not allowed (``unsigned``); a signature of another
        form (``signature_form``); by a certificate the registry does not list
        (``untrusted_certificate``); or one that does not verify (``signature``).
    """
    signatures = find_signatures(root, elmos)
    if not signatures:
        if allow_unsigned:
            return (SignatureInfo(source=source, signed=False),)
        raise IntakeError(
            f"{source} is not signed, and the registry requires signed ELMO files from "
            f"{institution}",
            reason="unsigned",
        )
    return tuple(
        _verify(signature, source=source, certificates=certificates, institution=institution)
        for signature in signatures
    )


def _verify(
    signature: Element, *, source: str, certificates: Sequence[bytes], institution: str
) -> SignatureInfo:
    algorithm = _check_form(signature, source)
    if not certificates:
        raise IntakeError(
            f"{source} is signed, but the registry lists no ELMO signing certificate for "
            f"{institution}",
            reason="untrusted_certificate",
        )
    for der in certificates:
        context = xmlsec.SignatureContext()
        # No key is ever read from KeyInfo (nor fetched through a RetrievalMethod).
        context.set_enabled_key_data([])
        try:
            context.key = xmlsec.Key.from_memory(der, _C.KeyDataFormatCertDer)
        except xmlsec.Error as exc:
            raise IntakeError(
                f"a certificate the registry lists for {institution} cannot be loaded",
                reason="untrusted_certificate",
            ) from exc
        for transform in (_C.TransformEnveloped, *_CANONICALISATIONS, *_DIGESTS):
            context.enable_reference_transform(transform)
        for transform in (*_CANONICALISATIONS, *_SIGNATURE_TRANSFORMS):
            context.enable_signature_transform(transform)
        try:
            context.verify(signature)
        except xmlsec.Error:
            continue  # Not this certificate (or not valid at all): try the next one.
        return SignatureInfo(
            source=source,
            signed=True,
            algorithm=algorithm,
            certificate_sha256=hashlib.sha256(der).hexdigest(),
        )
    embedded = _embedded_certificates(signature)
    if embedded and not set(embedded) & set(certificates):
        raise IntakeError(
            f"{source} is signed with a certificate the registry does not list for {institution}",
            reason="untrusted_certificate",
        )
    raise IntakeError(
        f"the signature of {source} does not verify with the certificates the registry "
        f"lists for {institution}: the file was changed after signing, or signed with "
        "another key",
        reason="signature",
    )


def _check_form(signature: Element, source: str) -> str:
    """The reported algorithm, once the signature is of the one form EMREX uses."""

    def refuse(what: str) -> IntakeError:
        return IntakeError(
            f"the signature of {source} is not an enveloped XML signature of the whole "
            f"file ({what})",
            reason="signature_form",
        )

    info = signature.find(_ds("SignedInfo"))
    if info is None:
        raise refuse("no SignedInfo")
    c14n = info.find(_ds("CanonicalizationMethod"))
    if c14n is None or c14n.get("Algorithm") not in _C14N_URIS:
        raise refuse("unknown canonicalisation")
    method = info.find(_ds("SignatureMethod"))
    algorithm = None if method is None else SIGNATURE_ALGORITHMS.get(method.get("Algorithm"))
    if algorithm is None:
        raise refuse("signature algorithm not accepted")
    references = info.findall(_ds("Reference"))
    if len(references) != 1 or references[0].get("URI") != "":
        raise refuse('it must have exactly one Reference, with URI=""')
    transforms = [
        transform.get("Algorithm")
        for transform in references[0].iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")
    ]
    if _ENVELOPED_URI not in transforms or not set(transforms) <= {_ENVELOPED_URI} | _C14N_URIS:
        raise refuse("only the enveloped-signature and canonicalisation transforms are read")
    digest = references[0].find(_ds("DigestMethod"))
    if digest is None or digest.get("Algorithm") not in _DIGEST_URIS:
        raise refuse("digest algorithm not accepted")
    return algorithm


def _embedded_certificates(signature: Element) -> list[bytes]:
    """DER of the certificates in ``KeyInfo/X509Data`` (the sender's claim, never trusted)."""
    found = []
    for element in signature.iterfind(
        f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}"
    ):
        try:
            found.append(base64.b64decode("".join((element.text or "").split()), validate=True))
        except binascii.Error:
            continue
    return found
