"""Published, unauthenticated documents: DID documents, JWKS, issuer metadata, types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from wallet.dids import did_document, jwks
from wallet.errors import NotFoundError
from wallet.service import Services
from wallet.trust import IssuerEntry
from wallet.vc import format_datetime_stamp
from wallet.web.deps import ServicesDep

router = APIRouter(tags=["published"])
SERVICE_SLUG = "service"


def _own_issuer(services: Services, slug: str) -> IssuerEntry:
    issuer = services.registry.by_slug(slug)
    if issuer.external:
        raise NotFoundError("this institution publishes its keys itself")
    return issuer


@router.get("/issuers", responses={})
def list_issuers(services: ServicesDep) -> list[dict[str, Any]]:
    """The trust registry: every institution, its identifiers and what it may issue."""
    return [
        {
            "slug": issuer.slug,
            "name": dict(issuer.names),
            "did": issuer.did,
            "iss": issuer.https_id,
            "types": sorted(issuer.types),
            "accreditation": [
                {
                    "types": sorted(a.types),
                    "validFrom": format_datetime_stamp(a.valid_from),
                    "validUntil": None
                    if a.valid_until is None
                    else format_datetime_stamp(a.valid_until),
                    "decision": a.decision,
                }
                for a in issuer.accreditations
            ],
        }
        for issuer in services.registry.issuers.values()
    ]


@router.get("/issuers/{slug}/did.json", responses={404: {}})
def issuer_did_document(slug: str, services: ServicesDep) -> dict[str, Any]:
    """The institution's did:web document, listing current, retired and compromised keys."""
    issuer = _own_issuer(services, slug)
    return did_document(issuer, services.key_history.keys_of(slug))


@router.get("/issuers/{slug}/jwks.json", responses={404: {}})
def issuer_jwks(slug: str, services: ServicesDep) -> dict[str, Any]:
    """The institution's public keys as a JWK Set (RFC 7517 §5)."""
    _own_issuer(services, slug)
    return jwks(services.key_history.keys_of(slug))


@router.get("/.well-known/jwt-vc-issuer/issuers/{slug}", responses={404: {}})
def jwt_vc_issuer(slug: str, services: ServicesDep) -> dict[str, Any]:
    """JWT VC Issuer Metadata (SD-JWT VC §5): the HTTPS identifier and its keys."""
    issuer = _own_issuer(services, slug)
    return {"issuer": issuer.https_id, "jwks": jwks(services.key_history.keys_of(slug))}


@router.get("/.well-known/jwks.json")
def service_jwks(services: ServicesDep) -> dict[str, Any]:
    """The service's own current and retired keys (they sign receipts)."""
    return jwks(services.key_history.keys_of(SERVICE_SLUG))


@router.get("/types", responses={})
def list_types(services: ServicesDep) -> list[dict[str, Any]]:
    """The registered credential types with their display names."""
    return [
        {
            "name": t.name,
            "version": t.version,
            "type": t.w3c_type,
            "display": t.metadata.get("display", []),
        }
        for t in services.types.types.values()
    ]


@router.get("/types/{name}", responses={404: {}})
def type_metadata(name: str, services: ServicesDep) -> dict[str, Any]:
    """Type metadata of one credential type: display lv/en/ru, claims, schema."""
    ctype = services.types.get(name)
    return {**dict(ctype.metadata), "schema": dict(ctype.schema)}


@router.get("/types/{name}/{version}", responses={404: {}})
def vct_type_metadata(name: str, version: str, services: ServicesDep) -> dict[str, Any]:
    """SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6) served at the ``vct`` URL
    ``{base}/types/{name}/v{n}``: display names in lv/en/ru, claim labels, and which claims
    are selectively disclosable (``sd``: always, allowed, never)."""
    ctype = services.types.get(name)
    if ctype.vct != f"{name}/{version}":
        raise NotFoundError("no such type version")
    display = list(ctype.metadata.get("display", []))
    return {
        "vct": f"{services.settings.base_url}/types/{ctype.vct}",
        "name": ctype.display_name("en"),
        "description": next(
            (d.get("description") for d in display if d.get("locale") == "en"), None
        ),
        "display": display,
        "claims": list(ctype.metadata.get("claims", [])),
        "schema": dict(ctype.schema),
    }
