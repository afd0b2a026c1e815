"""Properties: for random claim trees, random selectively disclosable nodes and random
subsets of them, verify(present(issue(x))) yields exactly the chosen subset.

The expected processed payload is computed here from the original claims alone: a hidden
node vanishes with everything below it, a chosen node brings its hidden ancestors (they
must connect it to the payload, RFC 9901 §4.2.6), and removed array elements close up
(§7.1 step 3.4). Nothing of ``wallet.sdjwt`` is used to compute it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sdjwt.helpers import AUD, NONCE, NOW, policy, salt, verify
from wallet.errors import WalletError
from wallet.jose import generate_signing_key
from wallet.sdjwt import issue_sd_jwt, present, sd_jwt_signer

Path = tuple[str | int, ...]

# Names avoid every reserved and never-disclosable claim name by construction.
NAMES = st.text(alphabet="abcdgā", min_size=1, max_size=3)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NAMES, children, max_size=4),
    max_leaves=16,
)
CLAIMS = st.dictionaries(NAMES, TREES, min_size=1, max_size=5)
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

ISSUER = generate_signing_key("EdDSA")
HOLDER = generate_signing_key("ES256")
SIGNER = sd_jwt_signer(ISSUER, kid="k1")


def node_paths(value: Any, path: Path = ()) -> list[Path]:
    """Every node below ``value`` (objects by key, arrays by index)."""
    found: list[Path] = []
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return found
    for part, child in items:
        found.append((*path, part))
        found.extend(node_paths(child, (*path, part)))
    return found


def expected(value: Any, hidden: set[Path], shown: set[Path]) -> tuple[Any, set[Path]]:
    """The Processed SD-JWT Payload and the processed paths of the shown Disclosures."""
    disclosed: set[Path] = set()

    def walk(node: Any, path: Path, processed: Path) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, child in node.items():
                here = (*path, key)
                if here in hidden and here not in shown:
                    continue
                if here in shown:
                    disclosed.add((*processed, key))
                out[key] = walk(child, here, (*processed, key))
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for index, child in enumerate(node):
                here = (*path, index)
                if here in hidden and here not in shown:
                    continue
                if here in shown:
                    disclosed.add((*processed, len(items)))
                items.append(walk(child, here, (*processed, len(items))))
            return items
        return node

    return walk(value, (), ()), disclosed


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], set[Path], set[Path], int]:
    claims = draw(CLAIMS)
    nodes = node_paths(claims)
    hidden = draw(st.sets(st.sampled_from(nodes))) if nodes else set()
    keep = draw(st.sets(st.sampled_from(sorted(hidden, key=repr)))) if hidden else set()
    decoys = draw(st.integers(min_value=0, max_value=2))
    return claims, hidden, keep, decoys


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.booleans())
def test_presentation_reveals_exactly_the_chosen_subset(
    scenario: tuple[dict[str, Any], set[Path], set[Path], int], bind: bool
) -> None:
    claims, hidden, keep, decoys = scenario
    issued = issue_sd_jwt(
        {**claims, "cnf": {"jwk": HOLDER.public.to_dict()}},
        signer=SIGNER,
        sd_paths=sorted(hidden, key=repr),
        salt=salt,
        decoys=decoys,
    )
    assert len(issued.disclosures) == len(hidden)
    # A chosen claim brings the hidden claims that contain it.
    shown = set(keep)
    for path in keep:
        shown.update(path[:end] for end in range(1, len(path)) if path[:end] in hidden)
    if bind:
        presentation = present(
            issued.serialized, keep=keep, holder_key=HOLDER, aud=AUD, nonce=NONCE, iat=NOW
        )
    else:
        presentation = present(issued.serialized, keep=keep)
    result = verify(
        presentation, ISSUER.public, key_binding=policy() if bind else None, required_claims=()
    )
    want, disclosed = expected(claims, hidden, shown)
    got = dict(result.claims)
    del got["cnf"]
    assert got == want
    assert set(result.disclosed) == disclosed
    assert len(result.disclosed) == len(shown)
    assert (result.key_binding is not None) == bind


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.data())
def test_any_edited_disclosure_is_refused(
    scenario: tuple[dict[str, Any], set[Path], set[Path], int], data: st.DataObject
) -> None:
    claims, hidden, _keep, _decoys = scenario
    if not hidden:
        return
    issued = issue_sd_jwt(claims, signer=SIGNER, sd_paths=sorted(hidden, key=repr), salt=salt)
    disclosures = list(issued.disclosures)
    which = data.draw(st.integers(min_value=0, max_value=len(disclosures) - 1))
    text = disclosures[which]
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    replacement = data.draw(st.sampled_from([c for c in BASE64URL if c != text[position]]))
    disclosures[which] = text[:position] + replacement + text[position + 1 :]
    edited = issued.jwt + "~" + "".join(d + "~" for d in disclosures)
    with pytest.raises(WalletError):
        verify(edited, ISSUER.public, key_binding=None, required_claims=())
