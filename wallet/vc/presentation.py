"""Verifiable presentations of ``vc+jwt`` credentials, secured as ``vp+jwt`` (pure).

The unsecured presentation follows the VC Data Model 2.0 (§4.13 "Verifiable
Presentations", §4.13.1 "Enveloped Verifiable Credentials")::

    {"@context": ["https://www.w3.org/ns/credentials/v2"],
     "type": ["VerifiablePresentation"],
     "holder": "did:jwk:...",
     "verifiableCredential": [{"@context": [...], "type": "EnvelopedVerifiableCredential",
                               "id": "data:application/vc+jwt,<JWS>"}, ...]}

VC-JOSE-COSE §3.2 secures it as a compact JWS: protected header ``typ`` ``vp+jwt``, ``cty``
``vp``, ``alg`` and ``kid`` (the holder's DID URL, ``<did:jwk>#0``); the payload is the
presentation itself plus the JWT claims that bind it to one verifier and one moment:
``aud`` (the verifier), ``nonce`` (its challenge), ``iat`` and, optionally, ``exp``.

This module builds, signs, unwraps and checks; it resolves no DID and verifies no
credential (``wallet.vp_verifier`` does both). Time is always a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from wallet.errors import DataModelError, ParseError, PresentationError
from wallet.jose import SigningKey, sign_compact
from wallet.vc.envelope import ENVELOPED_VC, envelope
from wallet.vc.model import CREDENTIALS_V2, check_contexts, is_url, types_of

VP_JWT = "vp+jwt"
#: Media type of a ``vp+jwt`` (VC-JOSE-COSE §6.1), the data-URL prefix of an enveloped one.
VP_JWT_MEDIA_TYPE = "application/vp+jwt"
#: ``typ`` values accepted for a JOSE-secured presentation (VC-JOSE-COSE §3.2).
VP_JWT_TYPES = frozenset({VP_JWT, VP_JWT_MEDIA_TYPE})
VERIFIABLE_PRESENTATION = "VerifiablePresentation"
ENVELOPED_VP = "EnvelopedVerifiablePresentation"
#: Most credentials one presentation may carry (each costs a full verification).
MAX_PRESENTED = 16
#: JWT claims of a ``vp+jwt`` that secure the presentation rather than belong to it.
VP_JWT_CLAIMS = frozenset({"iss", "aud", "nonce", "iat", "exp", "nbf", "jti"})

_VC_JWT_PREFIX = "data:application/vc+jwt,"
_VP_JWT_PREFIX = f"data:{VP_JWT_MEDIA_TYPE},"


@dataclass(frozen=True)
class PresentationPolicy:
    """What a verifier requires of a ``vp+jwt``: its audience, its nonce and when it was made.

    The policy comes from the verifier's use case, never from the presentation. For a
    challenge (``POST /challenges``) ``aud`` is the verifier's domain, ``nonce`` the
    challenge and ``max_age_seconds`` five minutes; for a share link ``aud`` is the share
    URL, ``nonce`` the share's id and ``earliest_iat``/``latest_iat`` the share's lifetime,
    with ``max_age_seconds`` None.

    :param max_age_seconds: how old ``iat`` may be; None leaves freshness to the window.
    :param earliest_iat: ``iat`` may not be earlier (inclusive); None: no lower bound.
    :param latest_iat: ``iat`` may not be later (inclusive); None: no upper bound.
    :param future_skew_seconds: how far ``iat`` may lie ahead of ``now`` (clock skew).
    :param algorithms: algorithms accepted for the holder's signature; ``none`` and
        ``HS*`` never are.
    """

    aud: str
    nonce: str
    max_age_seconds: int | None = 300
    earliest_iat: int | None = None
    latest_iat: int | None = None
    future_skew_seconds: int = 60
    algorithms: frozenset[str] = frozenset({"EdDSA", "ES256"})


class PresentedCredentials(NamedTuple):
    """What a presentation that passed :func:`check_presentation` carries."""

    holder: str
    #: The compact ``vc+jwt`` of each enveloped credential, in presentation order.
    credentials: tuple[str, ...]


def build_presentation(*, holder: str, credentials: Sequence[str]) -> dict[str, Any]:
    """The unsecured presentation of ``credentials`` (compact ``vc+jwt``) by ``holder``.

    :raises DataModelError: when there are no credentials, too many, or the holder is not
        a URL (the result always passes :func:`check_presentation`).
    """
    presentation = {
        "@context": [CREDENTIALS_V2],
        "type": [VERIFIABLE_PRESENTATION],
        "holder": holder,
        "verifiableCredential": [envelope("application/vc+jwt", token) for token in credentials],
    }
    check_presentation(presentation)
    return presentation


def secure_vp_jwt(
    presentation: Mapping[str, Any],
    *,
    key: SigningKey,
    kid: str,
    aud: str,
    nonce: str,
    iat: int,
    exp: int | None = None,
) -> str:
    """Secure a presentation as a compact ``vp+jwt`` (VC-JOSE-COSE §3.2).

    :param key: the holder's private key; ``alg`` is the key's.
    :param kid: the verification method of that key (``<did:jwk>#0``).
    :param aud: the verifier the presentation is meant for.
    :param nonce: the verifier's challenge.
    :param iat: when the presentation is made; ``exp`` (optional) when it stops being valid.
    """
    clash = VP_JWT_CLAIMS & set(presentation)
    if clash:
        raise DataModelError(f"the presentation must not carry {', '.join(sorted(clash))}")
    payload = dict(presentation)
    payload.update({"aud": aud, "nonce": nonce, "iat": iat})
    if exp is not None:
        payload["exp"] = exp
    return sign_compact({"kid": kid, "typ": VP_JWT, "cty": "vp"}, payload, key)


def envelope_presentation(token: str) -> dict[str, Any]:
    """Wrap a ``vp+jwt`` as an ``EnvelopedVerifiablePresentation`` (VC 2.0 §4.13.2)."""
    return {"@context": [CREDENTIALS_V2], "type": ENVELOPED_VP, "id": _VP_JWT_PREFIX + token}


def vp_jwt_of(value: Any) -> str | None:
    """The compact ``vp+jwt`` in what a client sent, or None when it is not one.

    Accepted: a compact JWS (three segments, no ``~``, so never an SD-JWT), the data URL
    ``data:application/vp+jwt,<JWS>``, and an object whose ``id`` is that data URL (an
    ``EnvelopedVerifiablePresentation``; a ``type``, when present, must say so).

    :raises ParseError: for a ``vp+jwt`` data URL or enveloped object that is malformed.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(_VP_JWT_PREFIX):
            return _compact(text[len(_VP_JWT_PREFIX) :])
        if not text.startswith("data:") and "~" not in text and text.count(".") == 2:
            return text
        return None
    if isinstance(value, Mapping):
        identifier = value.get("id")
        if not (isinstance(identifier, str) and identifier.startswith(_VP_JWT_PREFIX)):
            return None
        if "type" in value and value["type"] not in (ENVELOPED_VP, [ENVELOPED_VP]):
            raise ParseError(f"an enveloped vp+jwt has the type {ENVELOPED_VP}")
        return _compact(identifier[len(_VP_JWT_PREFIX) :])
    return None


def _compact(token: str) -> str:
    if token.count(".") != 2 or "~" in token:
        raise ParseError("the enveloped presentation is not a compact JWS")
    return token


def _holder_of(presentation: Mapping[str, Any]) -> str:
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    if not is_url(holder):
        raise DataModelError("holder must be a URL or an object whose id is a URL")
    assert isinstance(holder, str)
    return holder


def _enveloped_token(item: Any, index: int) -> str:
    where = f"verifiableCredential[{index}]"
    if not isinstance(item, Mapping) or item.get("type") not in (ENVELOPED_VC, [ENVELOPED_VC]):
        raise DataModelError(f"{where} must be an {ENVELOPED_VC}")
    context = item.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        raise DataModelError(f"{where} must have {CREDENTIALS_V2} as its first @context")
    identifier = item.get("id")
    if not isinstance(identifier, str) or not identifier.startswith(_VC_JWT_PREFIX):
        raise DataModelError(f"{where}.id must be a data:application/vc+jwt URL")
    token = identifier[len(_VC_JWT_PREFIX) :]
    if token.count(".") != 2:
        raise DataModelError(f"{where}.id does not hold a compact JWS")
    return token


def check_presentation(presentation: Mapping[str, Any]) -> PresentedCredentials:
    """Check a presentation against the VC Data Model 2.0 (§4.13) and what we accept.

    Stricter than the data model where verification needs it: ``holder`` is required (it
    is whose key signed), and ``verifiableCredential`` holds 1 to :data:`MAX_PRESENTED`
    enveloped ``vc+jwt`` credentials, nothing else (an SD-JWT VC is presented with its own
    key binding, not inside a ``vp+jwt``).

    :raises DataModelError: naming the first rule broken.
    """
    check_contexts(presentation)
    if VERIFIABLE_PRESENTATION not in types_of(presentation):
        raise DataModelError(f"type must include {VERIFIABLE_PRESENTATION}")
    if "id" in presentation and not is_url(presentation["id"]):
        raise DataModelError("id must be a URL")
    if "proof" in presentation:
        raise DataModelError("a vp+jwt is secured by its JWS, not by an embedded proof")
    holder = _holder_of(presentation)
    value = presentation.get("verifiableCredential")
    items = value if isinstance(value, list) else [] if value is None else [value]
    if not items:
        raise DataModelError("the presentation carries no credential")
    if len(items) > MAX_PRESENTED:
        raise DataModelError(f"a presentation carries at most {MAX_PRESENTED} credentials")
    tokens = tuple(_enveloped_token(item, index) for index, item in enumerate(items))
    return PresentedCredentials(holder=holder, credentials=tokens)


def presentation_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A ``vp+jwt`` payload without the JWT claims that secure it: the presentation."""
    return {name: value for name, value in payload.items() if name not in VP_JWT_CLAIMS}


def check_kid(kid: object, holder: str) -> None:
    """The header's ``kid`` must be the holder's own key, ``<holder>#0`` (did:jwk §2.2).

    :raises PresentationError: (reason "kid") for any other key.
    """
    if kid != f"{holder}#0":
        raise PresentationError(
            "the presentation is signed with a key (kid) that is not its holder's", reason="kid"
        )


def check_audience(payload: Mapping[str, Any], policy: PresentationPolicy) -> str:
    """``aud`` must be the policy's, as one string (RFC 7519 §4.1.3, as the KB-JWT).

    :raises PresentationError: (reason "aud") otherwise.
    """
    aud = payload.get("aud")
    if not isinstance(aud, str) or aud != policy.aud:
        raise PresentationError("the presentation is for another audience", reason="aud")
    return aud


def check_nonce(payload: Mapping[str, Any], policy: PresentationPolicy) -> str:
    """``nonce`` must be the policy's.

    :raises PresentationError: (reason "nonce") otherwise.
    """
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or nonce != policy.nonce:
        raise PresentationError("the presentation carries another nonce", reason="nonce")
    return nonce


def _numeric(payload: Mapping[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PresentationError(f"{name} must be an integer (seconds)", reason="iat")
    return value


def check_freshness(payload: Mapping[str, Any], policy: PresentationPolicy, *, now: int) -> int:
    """``iat`` is present, not ahead of ``now`` beyond the skew, not older than the policy
    allows and inside its window; ``exp`` and ``nbf``, when present, hold now.

    :returns: ``iat``.
    :raises PresentationError: with reason "iat" (missing or not an integer), "future",
        "stale", "window", "exp" or "nbf".
    """
    iat = _numeric(payload, "iat")
    if iat is None:
        raise PresentationError("the presentation has no iat", reason="iat")
    if iat > now + policy.future_skew_seconds:
        raise PresentationError("the presentation was made in the future", reason="future")
    if policy.max_age_seconds is not None and now - iat > policy.max_age_seconds:
        raise PresentationError("the presentation is too old", reason="stale")
    if (policy.earliest_iat is not None and iat < policy.earliest_iat) or (
        policy.latest_iat is not None and iat > policy.latest_iat
    ):
        raise PresentationError(
            "the presentation was made outside the time this verifier accepts", reason="window"
        )
    exp, nbf = _numeric(payload, "exp"), _numeric(payload, "nbf")
    if exp is not None and now >= exp:
        raise PresentationError("the presentation has expired (exp has passed)", reason="exp")
    if nbf is not None and now < nbf:
        raise PresentationError("the presentation is not valid yet (nbf)", reason="nbf")
    return iat


def check_subject_is_holder(credential: Mapping[str, Any], holder: str) -> None:
    """Every ``credentialSubject`` of a presented credential must be the holder (its ``id``),
    so that signing the presentation proves control of the subject's DID.

    :raises PresentationError: (reason "subject") otherwise.
    """
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, Mapping) and s.get("id") == holder for s in subjects):
        raise PresentationError(
            "the credential's subject is not the presentation's holder", reason="subject"
        )
