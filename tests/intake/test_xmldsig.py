"""wallet.intake.xmldsig: signed ELMO files are read only with a certificate the registry lists.

Every signed file is signed here, with a key and certificate made for the test session
(``elmo_fixtures.make_signer``); the canonical example's signature is a placeholder.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.intake.elmo_fixtures import Signer, elmo, ewp, issuer_entry, sign, to_bytes
from wallet.errors import IntakeError, WalletError
from wallet.intake.elmo import read_elmo


def read(data: bytes, *certificates: bytes, allow_unsigned: bool = False):
    trust = issuer_entry(certificates=certificates, allow_unsigned=allow_unsigned)
    return read_elmo(data, source="alice.xml", trust=trust)


def refused(data: bytes, *certificates: bytes, allow_unsigned: bool = False) -> str:
    with pytest.raises(IntakeError) as caught:
        read(data, *certificates, allow_unsigned=allow_unsigned)
    return caught.value.reason


@pytest.mark.parametrize(
    ("algorithm", "reported"), [("rsa-sha256", "RSA-SHA256"), ("rsa-sha1", "RSA-SHA1")]
)
def test_signed_file_is_read_and_its_signature_reported(signer: Signer, algorithm, reported):
    data = sign(to_bytes(elmo()), signer, algorithm=algorithm)
    result = read(data, signer.cert_der)
    assert len(result.rows) == 1
    [info] = result.signatures
    assert (info.source, info.signed, info.algorithm) == ("alice.xml", True, reported)
    assert info.certificate_sha256 == signer.fingerprint


def test_any_listed_certificate_may_sign(signer: Signer, stranger: Signer) -> None:
    data = sign(to_bytes(elmo()), signer)
    [info] = read(data, stranger.cert_der, signer.cert_der).signatures
    assert info.certificate_sha256 == signer.fingerprint


def test_signed_ewp_response_is_read(signer: Signer) -> None:
    data = sign(to_bytes(ewp(elmo())), signer)
    assert len(read(data, signer.cert_der).rows) == 1


def test_file_altered_after_signing_is_refused(signer: Signer) -> None:
    data = sign(to_bytes(elmo()), signer)
    altered = data.replace(b"<resultLabel>9<", b"<resultLabel>10<")
    assert altered != data
    assert refused(altered, signer.cert_der) == "signature"


def test_pretty_printed_copy_is_refused(signer: Signer) -> None:
    # Whitespace is content: a re-indented file is no longer the signed file.
    data = sign(to_bytes(elmo()), signer)
    pretty = etree.tostring(etree.fromstring(data), pretty_print=True)
    assert refused(pretty, signer.cert_der) == "signature"


def test_certificate_the_registry_does_not_list_is_refused(signer: Signer, stranger: Signer):
    data = sign(to_bytes(elmo()), stranger)
    assert refused(data, signer.cert_der) == "untrusted_certificate"


def test_claiming_the_listed_certificate_does_not_help(signer: Signer, stranger: Signer):
    # Signed by a stranger whose KeyInfo names the listed certificate: the key is never
    # taken from the file, so the signature simply does not verify.
    data = sign(to_bytes(elmo()), stranger)
    ours = b"".join(signer.cert_pem.splitlines()[1:-1])
    data = re.sub(rb"<X509Certificate>.*?</X509Certificate>", b"<X509Certificate>" + ours +
                  b"</X509Certificate>", data, flags=re.DOTALL)  # fmt: skip
    assert refused(data, signer.cert_der) == "signature"


def test_signed_file_of_an_institution_without_certificates_is_refused(signer: Signer) -> None:
    data = sign(to_bytes(elmo()), signer)
    assert refused(data, allow_unsigned=True) == "untrusted_certificate"


def test_unsigned_file_is_refused_unless_the_registry_allows_it(signer: Signer) -> None:
    data = to_bytes(elmo())
    assert refused(data, signer.cert_der) == "unsigned"
    result = read(data, allow_unsigned=True)
    assert [(s.signed, s.algorithm) for s in result.signatures] == [(False, None)]
    assert len(result.rows) == 1


@pytest.mark.parametrize(
    ("change", "replacement"),
    [
        pytest.param(rb'URI=""', b'URI="#learner"', id="reference-to-a-part"),
        pytest.param(
            rb"<Transform Algorithm=\"[^\"]*\"/>",
            b'<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>',
            id="xpath-transform",
        ),
        pytest.param(
            rb"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            b"http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            id="hmac",
        ),
        pytest.param(
            rb"http://www.w3.org/2001/04/xmlenc#sha256",
            b"http://www.w3.org/2001/04/xmldsig-more#md5",
            id="md5-digest",
        ),
        pytest.param(rb"</Reference>", b'</Reference><Reference URI=""/>', id="two-references"),
    ],
)
def test_signature_of_another_form_is_refused(signer: Signer, change, replacement) -> None:
    data = sign(to_bytes(elmo()), signer)
    changed = re.sub(change, replacement, data, count=1)
    assert changed != data
    assert refused(changed, signer.cert_der) == "signature_form"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_mutation_of_a_signed_file_is_refused_or_still_verifies(signer: Signer, data) -> None:
    signed = sign(to_bytes(elmo()), signer, algorithm="rsa-sha1")
    position = data.draw(st.integers(0, len(signed) - 1))
    mutated = bytearray(signed)
    mutated[position] = data.draw(st.integers(0, 255))
    try:
        result = read(bytes(mutated), signer.cert_der)
    except WalletError:
        return
    # Only a change outside the signed content (in SignatureValue's whitespace, an equivalent
    # encoding of the same characters) can leave the signature valid.
    assert [s.signed for s in result.signatures] == [True]
