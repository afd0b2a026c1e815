"""``__all__`` of the pure packages is sorted, complete and resolvable (STYLE rule 10).

"Sorted" is ruff's RUF022 isort-style order (constants, classes, then functions and
variables, each alphabetical), which is how the existing ``__all__`` lists are written.
"Complete" means every public name the package's ``__init__.py`` binds (by import, def,
class or assignment) is listed; submodules reached only as attributes are not public API.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

WALLET = Path(__file__).resolve().parent.parent / "wallet"
PACKAGES = ["wallet.jose", "wallet.sdjwt", "wallet.vc", "wallet.status"]
#: wallet.jose must have an __all__; the others are checked once they have one.
REQUIRED = {"wallet.jose"}


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 ("isort-style") gives: CONSTANTS, then Classes, then functions."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, name


def _init(package: str) -> Path:
    return WALLET.parent.joinpath(*package.split(".")) / "__init__.py"


def _bound_names(source: str) -> set[str]:
    """Top-level names bound in a module, without ``__future__`` imports and ``__all__``."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")} - {"annotations"}


def _declared(package: str) -> list[str] | None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    if package in REQUIRED:
        assert exported is not None, f"{package} has no __all__"
    return None if exported is None else list(exported)


@pytest.mark.parametrize("package", [p for p in PACKAGES if _init(p).exists()])
def test_all_is_sorted_complete_and_resolves(package: str) -> None:
    exported = _declared(package)
    if exported is None:
        # A package without __all__ yet has nothing to check; jose is REQUIRED to have one.
        return
    assert exported == sorted(exported, key=_isort_key), f"{package}.__all__ is not sorted"
    assert len(exported) == len(set(exported)), f"{package}.__all__ has duplicates"
    bound = _bound_names(_init(package).read_text(encoding="utf-8"))
    assert set(exported) == bound, (
        f"{package}: missing from __all__ {sorted(bound - set(exported))}; "
        f"listed but not bound {sorted(set(exported) - bound)}"
    )
    module = importlib.import_module(package)
    for name in exported:
        assert getattr(module, name, None) is not None, f"{package}.{name} does not resolve"


def test_jose_is_checked() -> None:
    """Guard against a vacuous run: wallet.jose exists and exports its verify path."""
    exported = _declared("wallet.jose")
    assert exported is not None
    assert {"parse_compact", "check_header", "verify_signature", "public_jwk"} <= set(exported)


def test_helpers() -> None:
    assert sorted(["b", "A", "ABC", "Ab"], key=_isort_key) == ["A", "ABC", "Ab", "b"]
    assert _bound_names("from x import b, a as c\nimport y.z\nD = 1\ndef e(): pass\n") == {
        "b",
        "c",
        "y",
        "D",
        "e",
    }
