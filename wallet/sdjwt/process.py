"""Processing Disclosures into the payload (RFC 9901 §7.1 steps 3–5).

One walk over the Issuer-signed payload does every check of §7.1 step 3 and steps 4–5:
each embedded digest is looked up among the presented Disclosures, each Disclosure is
decoded strictly only when its digest is found, and the substituted value is walked in turn
(recursive Disclosures, §4.2.6). The payload is never modified; the processed claims are a
new tree that shares the unchanged leaves.

Refused, each with its own :class:`~wallet.errors.DisclosureError` ``reason``:

- ``duplicate_disclosure``: the same Disclosure string twice (§4: "MUST NOT send ... more
  than once");
- ``duplicate_digest``: a digest met twice, in the payload or in Disclosures (§7.1 step 4);
- ``unreferenced``: a Disclosure whose digest is nowhere (§7.1 step 5) — this is also what an
  edited, forged or appended Disclosure comes to;
- ``malformed`` / ``wrong_kind``: not a JSON array of the right length for where its digest
  sits (3 in ``_sd``, 2 in ``{"...": d}``), or a salt or claim name that is not a string
  (§7.1 steps 3.3.2.1, 3.3.3.1);
- ``reserved_name``: the claim name ``_sd``, ``...`` or ``_sd_alg`` (§7.1 step 3.3.2.2);
- ``name_clash``: a claim name already present at that level (§7.1 step 3.3.2.3);
- ``never_disclosable``: a top-level name the caller says must be plain (SD-JWT VC §3.2.2.2);
- ``malformed_sd`` / ``malformed_ellipsis`` / ``misplaced_ellipsis`` / ``nested_sd_alg``:
  ``_sd`` that is not an array of strings, a ``{"...": d}`` with other members or a
  non-string digest, a ``...`` key outside an array element, ``_sd_alg`` below the top
  (§4.1 rule 7, §4.1.1, §4.2.4).

Digests without a Disclosure (decoys, or claims the Holder keeps back) are ignored, and
array elements whose digest has no Disclosure are removed (§7.1 steps 3.3.1, 3.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from wallet.errors import DisclosureError, PayloadTooLargeError
from wallet.sdjwt.encoding import HashFunction, decode_disclosure, digest
from wallet.sdjwt.model import ELLIPSIS, RESERVED_NAMES, SD, SD_ALG, ConcretePath


class Found(NamedTuple):
    """One Disclosure as placed: where in the processed claims, which, under which parent.

    ``position`` and ``parent`` index the presented Disclosures; ``parent`` is -1 when the digest
    sits in the Issuer-signed payload itself. ``value`` is the processed claim value.
    Entries are listed as their processing completes: children before their parents.
    """

    path: ConcretePath
    position: int
    parent: int
    value: Any


class Processed(NamedTuple):
    """The Processed SD-JWT Payload and where each Disclosure went."""

    claims: dict[str, Any]
    found: list[Found]


def process_disclosures(
    payload: Mapping[str, Any],
    disclosures: Sequence[str],
    *,
    hash_fn: HashFunction,
    never_disclosed: frozenset[str],
    max_depth: int,
) -> Processed:
    """Substitute ``disclosures`` into ``payload`` (RFC 9901 §7.1 steps 3–5).

    :param hash_fn: the function named by the payload's ``_sd_alg`` (already allowed).
    :param never_disclosed: top-level claim names that must not arrive as Disclosures.
    :param max_depth: deepest object/array nesting walked.
    :raises DisclosureError: for every refusal listed in the module docstring.
    :raises PayloadTooLargeError: for nesting deeper than ``max_depth``.
    """
    by_digest: dict[str, int] = {}
    for position, text in enumerate(disclosures):
        key = digest(hash_fn, text)
        if key in by_digest:
            raise DisclosureError(
                "the same Disclosure is presented twice", reason="duplicate_disclosure"
            )
        by_digest[key] = position
    seen: set[str] = set()
    found: list[Found] = []

    # The walk is the hot path of verification. Values come from the strict JSON parser, so
    # containers are exactly dict and list, and ``type(...) is`` tests them cheaply; each
    # object is copied once at C speed and only its container members are replaced.

    def lookup(key: str) -> int | None:
        if key in seen:
            raise DisclosureError(
                "a digest appears more than once in the SD-JWT", reason="duplicate_digest"
            )
        seen.add(key)
        return by_digest.get(key)

    def walk_object(
        value: dict[str, Any], depth: int, path: ConcretePath, parent: int
    ) -> dict[str, Any]:
        if depth > max_depth:
            raise PayloadTooLargeError(f"the SD-JWT nests deeper than {max_depth} levels")
        if ELLIPSIS in value:
            raise DisclosureError(
                "the key '...' may only form an array-element digest", reason="misplaced_ellipsis"
            )
        out = value.copy()
        digests = out.pop(SD, None) if SD in value else None
        if SD_ALG in out:
            if depth:
                raise DisclosureError("_sd_alg may appear only at the top level", "nested_sd_alg")
            del out[SD_ALG]
        for name, item in out.items():
            kind = type(item)
            if kind is dict:
                out[name] = walk_object(item, depth + 1, (*path, name), parent)
            elif kind is list:
                out[name] = walk_array(item, depth + 1, (*path, name), parent)
        if SD not in value:
            return out
        if type(digests) is not list:
            raise DisclosureError("_sd must be an array of digests", reason="malformed_sd")
        for key in digests:
            if type(key) is not str:
                raise DisclosureError("_sd must be an array of digests", reason="malformed_sd")
            position = lookup(key)
            if position is None:
                continue
            items = decode_disclosure(disclosures[position])
            if len(items) != 3:
                raise DisclosureError(
                    "a digest in _sd must belong to a [salt, name, value] Disclosure",
                    reason="wrong_kind" if len(items) == 2 else "malformed",
                )
            salt, name, disclosed = items
            if type(salt) is not str or type(name) is not str:
                raise DisclosureError(
                    "a Disclosure's salt and claim name are strings", reason="malformed"
                )
            if name in RESERVED_NAMES:
                raise DisclosureError(
                    f"a Disclosure may not carry the claim name {name!r}", reason="reserved_name"
                )
            if name in out:
                raise DisclosureError(
                    f"a Disclosure repeats the claim {name!r} at its level", reason="name_clash"
                )
            if not depth and name in never_disclosed:
                raise DisclosureError(
                    f"the claim {name!r} must not be selectively disclosable",
                    reason="never_disclosable",
                )
            child = (*path, name)
            kind = type(disclosed)
            if kind is dict:
                disclosed = walk_object(disclosed, depth + 1, child, position)
            elif kind is list:
                disclosed = walk_array(disclosed, depth + 1, child, position)
            found.append(Found(child, position, parent, disclosed))
            out[name] = disclosed
        return out

    def walk_array(value: list[Any], depth: int, path: ConcretePath, parent: int) -> list[Any]:
        if depth > max_depth:
            raise PayloadTooLargeError(f"the SD-JWT nests deeper than {max_depth} levels")
        out: list[Any] = []
        for item in value:
            kind = type(item)
            if kind is dict and ELLIPSIS in item:
                key = item[ELLIPSIS]
                if len(item) != 1 or type(key) is not str:
                    raise DisclosureError(
                        "an array-element digest is exactly {'...': digest}",
                        reason="malformed_ellipsis",
                    )
                position = lookup(key)
                if position is None:
                    continue
                items = decode_disclosure(disclosures[position])
                if len(items) != 2:
                    raise DisclosureError(
                        "an array-element digest must belong to a [salt, value] Disclosure",
                        reason="wrong_kind" if len(items) == 3 else "malformed",
                    )
                if type(items[0]) is not str:
                    raise DisclosureError("a Disclosure's salt is a string", reason="malformed")
                child = (*path, len(out))
                disclosed = items[1]
                kind = type(disclosed)
                if kind is dict:
                    disclosed = walk_object(disclosed, depth + 1, child, position)
                elif kind is list:
                    disclosed = walk_array(disclosed, depth + 1, child, position)
                found.append(Found(child, position, parent, disclosed))
                out.append(disclosed)
            elif kind is dict:
                out.append(walk_object(item, depth + 1, (*path, len(out)), parent))
            elif kind is list:
                out.append(walk_array(item, depth + 1, (*path, len(out)), parent))
            else:
                out.append(item)
        return out

    top = payload if isinstance(payload, dict) else dict(payload)
    claims = walk_object(top, 0, (), -1)
    if len(found) != len(disclosures):
        raise DisclosureError(
            "a Disclosure is not referenced by any digest of the SD-JWT", reason="unreferenced"
        )
    return Processed(claims=claims, found=found)
