"""The import arrows of STYLE.md §2 and rule 1, enforced by walking wallet/ with ``ast``.

::

    web/, cli.py, service.py, demo.py → issuance.py, holder.py, verifier.py, records/, access.py
                 → trust.py, keystore.py, credential_types.py, status/, db/, personal_code.py
                 → vc/, sdjwt/, dids.py → jose/ → cryptography, jwt (pyjwt)

A module may import from its own layer or a lower one. ``errors.py`` may be imported from
anywhere; ``config.py`` only by web/ and cli.py. Only jose/ imports cryptography or jwt. The
four pure packages (jose, sdjwt, vc, status) import no database, web or settings module and
neither read the clock nor draw randomness: time and randomness are parameters (rule 5).
A module missing from ``LAYERS`` is a failure: place each new module deliberately.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

WALLET = Path(__file__).resolve().parent.parent / "wallet"

#: Layer of each top-level module or package of wallet/ (higher may import lower).
LAYERS: dict[str, int] = {
    "jose": 0,
    "vc": 1,
    "sdjwt": 1,
    "dids": 1,
    "trust": 2,
    "keystore": 2,
    "credential_types": 2,
    "subject_schema": 2,
    "status": 2,
    "db": 2,
    "personal_code": 2,
    "passwords": 2,
    "collation": 2,
    "sdjwt_vc": 2,
    "totp": 2,
    "mail": 2,
    "oidc": 2,
    "http_fetch": 2,
    "status_refs": 2,
    "status_lists": 3,
    "status_check": 3,
    "status_publish": 3,
    "status_fetch": 3,
    "status_external": 3,
    "revocation": 3,
    "issuance": 3,
    "delivery": 3,
    "intake": 3,
    "batches": 3,
    "checkpoints": 2,
    "holder": 3,
    "verifier": 3,
    "records": 3,
    "access": 3,
    "ratelimit": 3,
    "notify": 3,
    "challenges": 3,
    "presentations": 3,
    "shares": 3,
    "share_images": 3,
    "vp_verifier": 3,
    "receipts": 3,
    "qr_decode": 3,
    "sessions": 3,
    "accounts": 3,
    "identity": 3,
    "web": 4,
    "cli": 4,
    "cli_batches": 4,
    "service": 4,
    "demo": 4,
    "__main__": 4,
    "__init__": 4,
}
#: Importable from anywhere, and importing nothing else of wallet/ except ``errors``.
ANYWHERE = frozenset({"errors"})
#: config.py: imported only by these; it imports nothing of wallet/ but errors.
CONFIG = "config"
#: ``service`` is the composition root that web/ and cli.py build from their settings.
CONFIG_IMPORTERS = frozenset({"web", "cli", "service"})
HAZMAT = frozenset({"cryptography", "jwt"})
PURE = frozenset({"jose", "sdjwt", "vc", "status"})
PURE_FORBIDDEN_WALLET = frozenset({"db", "web", "config"})
#: The batch readers (wallet/intake) turn bytes into rows: no database, web or settings.
INTAKE_FORBIDDEN_WALLET = frozenset({"db", "web", "config"})
PURE_FORBIDDEN_LIBRARIES = frozenset({"fastapi", "sqlmodel", "sqlalchemy", "starlette"})
#: Random sources: importing these modules at all is refused in the pure packages.
RANDOM_MODULES = frozenset({"random", "secrets"})
#: Clock and randomness, as fully qualified names, refused in the pure packages.
FORBIDDEN_NAMES = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "os.urandom",
        "os.getrandom",
        "uuid.uuid1",
        "uuid.uuid4",
    }
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _imported_modules(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool
) -> list[str]:
    """Fully qualified names an import statement brings in (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    if base == "wallet":
        # ``from wallet import errors, jose`` imports the named submodules.
        return [f"wallet.{alias.name}" for alias in node.names]
    return [base]


def _component(module: str) -> str:
    """``wallet.jose.jwk`` → ``jose``; ``wallet.cli`` → ``cli``; ``wallet`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """The fully qualified dotted name of ``a.b.c`` with import aliases resolved."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(attrs)])


def check_source(
    source: str, module: str, *, path: str = "<string>", is_package: bool = False
) -> list[Violation]:
    """All layering violations of one module's source."""
    tree = ast.parse(source)
    own = _component(module)
    found: list[Violation] = []

    def report(node: ast.AST, message: str) -> None:
        found.append(Violation(path, getattr(node, "lineno", 0), message))

    if own not in LAYERS and own not in ANYWHERE and own != CONFIG:
        report(tree, f"wallet.{own} is not in the layer table of tests/test_layering.py")
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for alias in node.names:
            if isinstance(node, ast.Import):
                local = alias.asname or alias.name.split(".")[0]
                aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
            elif node.level == 0 and node.module:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for target in _imported_modules(node, module, is_package):
            top = target.split(".")[0]
            if top in HAZMAT and own != "jose":
                report(node, f"only wallet/jose may import {target}")
            if own in PURE and (top in PURE_FORBIDDEN_LIBRARIES or top in RANDOM_MODULES):
                report(node, f"pure package wallet/{own} imports {target}")
            if top != "wallet":
                continue
            imported = _component(target)
            if imported == own or imported in ANYWHERE:
                continue
            if own in PURE and imported in PURE_FORBIDDEN_WALLET:
                report(node, f"pure package wallet/{own} imports {target}")
            elif own == "intake" and imported in INTAKE_FORBIDDEN_WALLET:
                report(node, f"the batch readers in wallet/intake import {target}")
            elif imported == CONFIG:
                if own not in CONFIG_IMPORTERS:
                    report(node, f"only web/ and cli.py may import {target}")
            elif own in ANYWHERE or own == CONFIG:
                report(node, f"wallet/{own} must not import {target}")
            elif imported not in LAYERS:
                report(node, f"{target} is not in the layer table of tests/test_layering.py")
            elif own in LAYERS and LAYERS[imported] > LAYERS[own]:
                report(node, f"wallet/{own} (layer {LAYERS[own]}) imports the higher {target}")
    if own in PURE:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute | ast.Name):
                name = _qualified(node, aliases)
                if name in FORBIDDEN_NAMES:
                    report(node, f"pure package wallet/{own} uses the clock or randomness: {name}")
    return found


def _modules() -> list[tuple[Path, str, bool]]:
    result = []
    for path in sorted(WALLET.rglob("*.py")):
        parts = path.relative_to(WALLET.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        result.append((path, module, is_package))
    return result


def test_wallet_follows_the_import_arrows() -> None:
    violations = []
    for path, module, is_package in _modules():
        source = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(WALLET.parent))
        violations += check_source(source, module, path=rel, is_package=is_package)
    assert not violations, "\n".join(str(v) for v in violations)


def test_walker_sees_the_jose_package() -> None:
    """Guard against a vacuous walk: the tree is found and jose's own cryptography imports pass."""
    modules = {module for _, module, _ in _modules()}
    assert {"wallet.jose", "wallet.jose.jwk", "wallet.errors"} <= modules


# --- self-tests of the walker --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "module"),
    [
        pytest.param(
            "from cryptography.hazmat.primitives import hashes\n",
            "wallet.vc.envelope",
            id="crypto-submodule",
        ),
        pytest.param(
            "import cryptography.hazmat.primitives.hashes as h\n",
            "wallet.verifier",
            id="crypto-import-as",
        ),
        pytest.param("import jwt\n", "wallet.web.app", id="pyjwt"),
        pytest.param(
            "def f():\n    from jwt import api_jws\n", "wallet.sdjwt.verify", id="pyjwt-in-function"
        ),
        pytest.param(
            "from wallet.verifier import verify\n", "wallet.jose.jws", id="jose-imports-use-case"
        ),
        pytest.param("from wallet.db import crud\n", "wallet.vc.model", id="pure-imports-db"),
        pytest.param(
            "from wallet.db.models import Batch\n", "wallet.intake.elmo", id="intake-imports-db"
        ),
        pytest.param(
            "from wallet import config\n", "wallet.issuance", id="use-case-imports-config"
        ),
        pytest.param(
            "from ..config import Settings\n", "wallet.status.decode", id="relative-config"
        ),
        pytest.param("from . import web\n", "wallet.trust", id="relative-sibling-up"),
        pytest.param("from ..web import app\n", "wallet.records.elmo", id="relative-parent-up"),
        pytest.param("import sqlmodel\n", "wallet.status.list", id="pure-imports-sqlmodel"),
        pytest.param("import secrets\n", "wallet.sdjwt.issue", id="pure-imports-secrets"),
        pytest.param("from random import choice\n", "wallet.vc.envelope", id="pure-imports-random"),
        pytest.param("import time\nt = time.time()\n", "wallet.jose.jws", id="time-time"),
        pytest.param(
            "from time import monotonic as m\nm()\n", "wallet.status.decode", id="monotonic-alias"
        ),
        pytest.param(
            "from datetime import datetime\ndatetime.now()\n", "wallet.vc.model", id="datetime-now"
        ),
        pytest.param(
            "import datetime as dt\ndt.datetime.utcnow()\n", "wallet.vc.model", id="utcnow-alias"
        ),
        pytest.param("import os\nos.urandom(16)\n", "wallet.sdjwt.issue", id="os-urandom"),
        pytest.param("import uuid\nuuid.uuid4()\n", "wallet.vc.envelope", id="uuid4"),
        pytest.param(
            "from uuid import uuid4\nclock = uuid4\n", "wallet.status.alloc", id="uuid4-reference"
        ),
        pytest.param(
            "from wallet.errors import ParseError\n", "wallet.unknown_module", id="unknown-module"
        ),
        pytest.param(
            "from wallet.jose import b64url_encode\n", "wallet.errors", id="errors-imports-jose"
        ),
    ],
)
def test_walker_catches(source: str, module: str) -> None:
    assert check_source(source, module), "the walker missed a forbidden import or call"


@pytest.mark.parametrize(
    ("source", "module", "is_package"),
    [
        pytest.param(
            "from cryptography.hazmat.primitives import hashes\n",
            "wallet.jose.jwk",
            False,
            id="jose-crypto",
        ),
        pytest.param(
            "from . import b64\nfrom .b64 import b64url_encode\n",
            "wallet.jose",
            True,
            id="relative-own",
        ),
        pytest.param(
            "from wallet.jose import sign_compact\n", "wallet.vc.envelope", False, id="vc-uses-jose"
        ),
        pytest.param(
            "from wallet.errors import ParseError\n", "wallet.jose.b64", False, id="errors-anywhere"
        ),
        pytest.param(
            "from wallet.config import Settings\n", "wallet.web.app", False, id="web-config"
        ),
        pytest.param(
            "import secrets\nimport time\ntime.time()\n",
            "wallet.issuance",
            False,
            id="use-case-clock",
        ),
        pytest.param(
            "from datetime import datetime\ndatetime.fromtimestamp(0)\n",
            "wallet.vc.model",
            False,
            id="pure-datetime-no-clock",
        ),
    ],
)
def test_walker_allows(source: str, module: str, is_package: bool) -> None:
    assert check_source(source, module, is_package=is_package) == []
