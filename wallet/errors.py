"""The one error tree of the service, with stable codes.

Every failure the service reports is a :class:`WalletError`. Its ``code`` is stable (clients
and tests match on it), ``status`` is the HTTP status the web layer answers with, and
``problem`` names the problem-details ``type``: the four codes of the VC Data Model 2.0
verification algorithm (§7.1, "Problem Details") map to their W3C URLs, everything else to
``urn:imk:problem:<code>``. The web layer (``web/app.py``) and the CLI (``cli.py``) are the
only places that translate these into answers.

::

    WalletError
    ├── InputError                       400  the request itself cannot be used
    │   ├── ParseError                   400  PARSING_ERROR: not JSON, not a JWS, bad base64url
    │   ├── PayloadTooLargeError         413  body, token, header or file over its cap
    │   ├── UnsupportedMediaError        415  an upload of a media type the route does not read
    │   ├── WeakPasswordError            400  WEAK_PASSWORD: a new password the policy refuses
    │   └── IntakeError                  400  BATCH_REFUSED: a batch file refused whole (``reason``)
    ├── AuthenticationError              401  no, unknown, expired or revoked token
    │   ├── SecondFactorError            401  SECOND_FACTOR_FAILED: wrong, malformed or reused code
    │   └── IdentityProviderError        401  an OpenID Connect login that proves nothing
    │       └── IdentityProviderUnavailableError  502  provider unreachable or answering nonsense
    ├── PermissionDeniedError            403  an issuer acting outside its rights
    ├── NotFoundError                    404
    ├── ConflictError                    409  a credentialId reused for another credential
    ├── GoneError                        410  a single-use link that is unknown, used or expired
    ├── RateLimitedError                 429  too many failed attempts for an account or address
    ├── RecordError                      422  issuance input that fails its type (names every field)
    ├── MailDeliveryError                503  MAIL_NOT_SENT: the mail server refused or is down
    └── VerificationError                422  a credential or presentation that does not verify
        ├── CryptographicError           CRYPTOGRAPHIC_SECURITY_ERROR
        │   ├── InvalidSignatureError
        │   ├── AlgorithmError           alg none, HS*, an alg not bound to the key
        │   ├── UnknownKeyError          kid not in the issuer's key set
        │   ├── KeyValidityError         key outside its window or compromised at signing time
        │   ├── WeakKeyError             small-order Ed25519 point, short RSA key
        │   ├── KeyBindingError          SD-JWT KB-JWT missing, unexpected or wrong (``reason``)
        │   └── PresentationError        vp+jwt not bound to this verifier or holder (``reason``)
        ├── MalformedValueError          MALFORMED_VALUE_ERROR
        │   ├── HeaderError              typ, crit, jku/x5u/jwk in the header
        │   ├── DisclosureError          SD-JWT disclosures and digests (``reason``)
        │   ├── DataModelError           VC 2.0 data model violations
        │   ├── JSONLDError              undefined or redefined terms, unknown contexts
        │   └── SchemaError              the type's JSON Schema
        ├── ChallengeError               unknown, used, expired or another domain's challenge
        ├── RangeError                   RANGE_ERROR
        │   ├── ExpiredCredentialError
        │   └── NotYetValidError
        ├── TrustError                   issuer not registered, not accredited for the type
        │   └── UnknownIssuerError
        └── StatusError                  the credential's status says it must not be accepted
            ├── RevokedError             REVOKED: revoked by its issuer (final)
            ├── SuspendedError           SUSPENDED: suspended by its issuer (may be lifted)
            └── StatusUnknownError       status could not be established (``vc_code`` per cause)
                ├── StatusRetrievalError     STATUS_RETRIEVAL_ERROR: unreachable, redirect, too big
                ├── StatusListVerificationError  STATUS_VERIFICATION_ERROR: signer, expiry, form
                └── StatusListLengthError    STATUS_LIST_LENGTH_ERROR: list shorter than the minimum
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

VC_PROBLEM_BASE = "https://www.w3.org/TR/vc-data-model#"
#: Problem types of the Bitstring Status List Recommendation (§3.5 "Processing Errors").
STATUS_PROBLEM_BASE = "https://www.w3.org/ns/credentials/status-list#"


@dataclass(frozen=True)
class FieldProblem:
    """One bad field of an input record: where it is (JSON pointer) and what is wrong."""

    pointer: str
    message: str


class WalletError(Exception):
    """Base of every error the service reports.

    :param description: a sentence for people; never contains secrets or the input itself.
    """

    code = "WALLET_ERROR"
    status = 500
    title = "Internal error"
    vc_code: str | None = None
    problem_base = VC_PROBLEM_BASE

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    @property
    def problem_type(self) -> str:
        """The problem-details ``type`` URI of this error."""
        if self.vc_code is not None:
            return self.problem_base + self.vc_code
        return "urn:imk:problem:" + self.code.lower().replace("_", "-")


class InputError(WalletError):
    code = "BAD_REQUEST"
    status = 400
    title = "Bad request"


class ParseError(InputError):
    code = "PARSING_ERROR"
    title = "Input could not be parsed"
    vc_code = "PARSING_ERROR"


class PayloadTooLargeError(InputError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    title = "Payload too large"


class WeakPasswordError(InputError):
    """A new password that fails the password policy; names every rule it breaks."""

    code = "WEAK_PASSWORD"
    title = "Password refused"

    def __init__(self, description: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(description)
        self.problems = tuple(problems)


class IntakeError(InputError):
    """A batch file refused as a whole: unsafe, not the expected format, or not signed as the
    registry requires.

    ``reason`` names the rule ("doctype", "encoding", "not_xml", "not_elmo", "zip",
    "zip_path", "zip_bomb", "too_many_members", "unsigned", "signature",
    "untrusted_certificate", "signature_form", ...), so callers and tests tell refusals apart
    without matching on the description, which is written for the clerk who sent the file.
    A file over a size cap raises :class:`PayloadTooLargeError` instead.
    """

    code = "BATCH_REFUSED"
    title = "Batch file refused"

    def __init__(self, description: str, reason: str = "refused") -> None:
        super().__init__(description)
        self.reason = reason


class UnsupportedMediaError(InputError):
    """A request body of a media type the route does not read."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
    title = "Unsupported media type"


class AuthenticationError(WalletError):
    code = "UNAUTHENTICATED"
    status = 401
    title = "Authentication required"


class SecondFactorError(AuthenticationError):
    """A second-factor code that is wrong, malformed or already used."""

    code = "SECOND_FACTOR_FAILED"
    title = "Second factor not accepted"


class IdentityProviderError(AuthenticationError):
    """An OpenID Connect login that did not prove who the user is.

    A subclass of :class:`AuthenticationError` (401), not of :class:`InputError`: the
    request is well formed, but the identity it claims is not proven, exactly as with a
    bad token. ``reason`` names the failed check ("signature", "nonce", "issuer", ...), so
    callers and tests tell failures apart without matching on the description; the
    underlying error, if any, is chained as ``__cause__``.
    """

    code = "IDENTITY_NOT_PROVEN"
    title = "Identity not proven"

    def __init__(self, description: str, reason: str = "rejected") -> None:
        super().__init__(description)
        self.reason = reason


class IdentityProviderUnavailableError(IdentityProviderError):
    """The identity provider could not be reached or answered with something unusable (502)."""

    code = "IDENTITY_PROVIDER_UNAVAILABLE"
    status = 502
    title = "Identity provider unavailable"


class PermissionDeniedError(WalletError):
    code = "FORBIDDEN"
    status = 403
    title = "Not allowed"


class NotFoundError(WalletError):
    code = "NOT_FOUND"
    status = 404
    title = "Not found"


class ConflictError(WalletError):
    code = "CONFLICT"
    status = 409
    title = "Conflict"


class GoneError(WalletError):
    """A single-use link (e-mail verification, password reset) that cannot be used: unknown,
    used already or expired; one answer for all three."""

    code = "LINK_NOT_USABLE"
    status = 410
    title = "Link no longer usable"


class RateLimitedError(WalletError):
    """Too many failed sign-ins or resets for one account or one address in a window.

    The answer is the same whether or not the account exists (the count is kept per
    e-mail address as typed), so it reveals nothing.
    """

    code = "RATE_LIMITED"
    status = 429
    title = "Too many attempts"


class RecordError(WalletError):
    """An issuance record that does not satisfy its credential type; names every bad field."""

    code = "INVALID_RECORD"
    status = 422
    title = "The record does not match its credential type"

    def __init__(self, description: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(description)
        self.problems = tuple(problems)


class MailDeliveryError(WalletError):
    """The mail server could not be reached or refused a message (no address or body in it)."""

    code = "MAIL_NOT_SENT"
    status = 503
    title = "E-mail could not be sent"


class VerificationError(WalletError):
    code = "NOT_VERIFIED"
    status = 422
    title = "Not verified"


class CryptographicError(VerificationError):
    code = "CRYPTOGRAPHIC_SECURITY_ERROR"
    title = "Cryptographic check failed"
    vc_code = "CRYPTOGRAPHIC_SECURITY_ERROR"


class InvalidSignatureError(CryptographicError):
    code = "INVALID_SIGNATURE"
    title = "Invalid signature"


class AlgorithmError(CryptographicError):
    code = "ALGORITHM_NOT_ALLOWED"
    title = "Algorithm not allowed"


class UnknownKeyError(CryptographicError):
    code = "UNKNOWN_KEY"
    title = "Unknown key"


class KeyValidityError(CryptographicError):
    code = "KEY_NOT_VALID"
    title = "Key not valid at signing time"


class WeakKeyError(CryptographicError):
    code = "WEAK_KEY"
    title = "Key refused"


class KeyBindingError(CryptographicError):
    """An SD-JWT Key Binding JWT that is missing, unexpected or invalid (RFC 9901 §7.3).

    ``reason`` names the failed check ("missing", "unexpected", "typ", "alg", "signature",
    "holder_key", "aud", "nonce", "iat", "stale", "future", "sd_hash", ...); the underlying
    error, if any, is chained as ``__cause__``.
    """

    code = "KEY_BINDING_FAILED"
    title = "Key binding not proven"

    def __init__(self, description: str, reason: str = "invalid") -> None:
        super().__init__(description)
        self.reason = reason


class PresentationError(CryptographicError):
    """A ``vp+jwt`` presentation not made by its holder for this verifier (VC-JOSE-COSE §3.2).

    ``reason`` names the failed check ("holder_method", "holder_key", "kid", "aud",
    "nonce", "iat", "stale", "future", "window", "exp", "nbf", "subject"); the underlying
    error, if any, is chained as ``__cause__``.
    """

    code = "PRESENTATION_NOT_BOUND"
    title = "Presentation not bound to its holder and verifier"

    def __init__(self, description: str, reason: str = "invalid") -> None:
        super().__init__(description)
        self.reason = reason


class MalformedValueError(VerificationError):
    code = "MALFORMED_VALUE_ERROR"
    title = "Malformed value"
    vc_code = "MALFORMED_VALUE_ERROR"


class HeaderError(MalformedValueError):
    code = "BAD_HEADER"
    title = "Header refused"


class DisclosureError(MalformedValueError):
    """SD-JWT disclosures or digests that break RFC 9901 §4 and §7.1.

    ``reason`` names the rule ("malformed", "unreferenced", "duplicate_digest",
    "duplicate_disclosure", "reserved_name", "name_clash", "wrong_kind", "never_disclosable",
    ...), so callers and tests tell failures apart without matching on the description.
    """

    code = "INVALID_DISCLOSURE"
    title = "Disclosure refused"

    def __init__(self, description: str, reason: str = "invalid") -> None:
        super().__init__(description)
        self.reason = reason


class DataModelError(MalformedValueError):
    code = "DATA_MODEL_ERROR"
    title = "Not a conforming VC 2.0 document"


class JSONLDError(MalformedValueError):
    code = "JSONLD_ERROR"
    title = "JSON-LD processing failed"


class SchemaError(MalformedValueError):
    """The credential subject does not match the schema of its type."""

    code = "SCHEMA_ERROR"
    title = "Credential does not match its type"

    def __init__(self, description: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(description)
        self.problems = tuple(problems)


class ChallengeError(VerificationError):
    """A verifier challenge that is unknown, used, expired or made for another domain."""

    code = "CHALLENGE_NOT_USABLE"
    title = "Challenge not usable"


class RangeError(VerificationError):
    code = "RANGE_ERROR"
    title = "Value out of range"
    vc_code = "RANGE_ERROR"


class ExpiredCredentialError(RangeError):
    code = "EXPIRED"
    title = "Credential expired"


class NotYetValidError(RangeError):
    code = "NOT_YET_VALID"
    title = "Credential not yet valid"


class TrustError(VerificationError):
    code = "NOT_TRUSTED"
    title = "Issuer not trusted for this credential"


class UnknownIssuerError(TrustError):
    code = "UNKNOWN_ISSUER"
    title = "Issuer not registered"


class StatusError(VerificationError):
    """The credential's status (revocation or suspension list) forbids accepting it."""

    code = "STATUS_ERROR"
    title = "Credential status"


class RevokedError(StatusError):
    code = "REVOKED"
    title = "Credential revoked"


class SuspendedError(StatusError):
    code = "SUSPENDED"
    title = "Credential suspended"


class StatusUnknownError(StatusError):
    """Status that cannot be established: reported as "unknown", never as "valid" (DESIGN §4)."""

    code = "STATUS_UNKNOWN"
    title = "Credential status unknown"
    vc_code = "STATUS_RETRIEVAL_ERROR"
    problem_base = STATUS_PROBLEM_BASE


class StatusRetrievalError(StatusUnknownError):
    """The list could not be fetched: unreachable, refused host, redirect, too big, bad body."""

    code = "STATUS_RETRIEVAL_ERROR"
    vc_code = "STATUS_RETRIEVAL_ERROR"


class StatusListVerificationError(StatusUnknownError):
    """The list was fetched but cannot be trusted: wrong signer, expired, malformed."""

    code = "STATUS_VERIFICATION_ERROR"
    vc_code = "STATUS_VERIFICATION_ERROR"


class StatusListLengthError(StatusUnknownError):
    """The list is shorter than the minimum or than the index needs."""

    code = "STATUS_LIST_LENGTH_ERROR"
    vc_code = "STATUS_LIST_LENGTH_ERROR"
