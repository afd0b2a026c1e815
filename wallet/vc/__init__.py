"""W3C VC 2.0: data model checks, enveloping, JSON-LD with bundled contexts (pure)."""

from wallet.vc.envelope import (
    DC_SD_JWT,
    ENVELOPED_VC,
    JWT_CLAIMS,
    VC_JWT,
    Secured,
    envelope,
    secure_vc_jwt,
    secure_vc_jwt_json,
    unwrap,
    vc_jwt_signer,
)
from wallet.vc.model import (
    CREDENTIALS_V2,
    VC_V2_TERMS,
    VERIFIABLE_CREDENTIAL,
    check_credential,
    check_validity_period,
    format_datetime_stamp,
    is_url,
    issuer_id,
    parse_datetime_stamp,
    types_of,
)

__all__ = [
    "CREDENTIALS_V2",
    "DC_SD_JWT",
    "ENVELOPED_VC",
    "JWT_CLAIMS",
    "VC_JWT",
    "VC_V2_TERMS",
    "VERIFIABLE_CREDENTIAL",
    "Secured",
    "check_credential",
    "check_validity_period",
    "envelope",
    "format_datetime_stamp",
    "is_url",
    "issuer_id",
    "parse_datetime_stamp",
    "secure_vc_jwt",
    "secure_vc_jwt_json",
    "types_of",
    "unwrap",
    "vc_jwt_signer",
]
