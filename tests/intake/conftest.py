"""Fixtures of the intake tests: the credential types, and test-only ELMO signing keys."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.intake.elmo_fixtures import Signer, make_signer
from wallet.credential_types import TypeRegistry, load_types


@pytest.fixture(scope="session")
def types() -> TypeRegistry:
    return load_types(REPO / "schemas")


@pytest.fixture(scope="session")
def signer() -> Signer:
    """The certificate the registry lists for the institution."""
    return make_signer("Zile ELMO signer (test only)")


@pytest.fixture(scope="session")
def stranger() -> Signer:
    """A certificate the registry does not list."""
    return make_signer("Someone else (test only)")
