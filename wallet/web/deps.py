"""FastAPI dependencies as ``Annotated`` aliases: services, settings, session, clock, issuer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from wallet.access import IssuerPrincipal, authenticate
from wallet.config import Settings
from wallet.service import Services


def get_services(request: Request) -> Services:
    """The process's :class:`Services`, built by ``create_app``."""
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    """The settings the app was built with."""
    return services.settings


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session per request; routes that change data commit it themselves."""
    with services.session() as session:
        yield session


def get_now(services: ServicesDep) -> int:
    """The current time, read once per request."""
    return services.now()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[int, Depends(get_now)]


def get_issuer(
    services: ServicesDep,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> IssuerPrincipal:
    """The issuer calling, from its API token (checked against the database every time)."""
    return authenticate(session, hash_key=services.token_key, authorization=authorization)


IssuerDep = Annotated[IssuerPrincipal, Depends(get_issuer)]
