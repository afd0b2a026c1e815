"""What a learner may choose to disclose from an SD-JWT VC, labelled in the page language,
for the present pages (:mod:`wallet.web.pages.present`).

The claims offered are those of the type metadata whose ``sd`` is ``always`` or ``allowed``
(:data:`wallet.sdjwt_vc.HIDDEN_BY_DEFAULT`) that the credential carries as a Disclosure. An
array whose elements are Disclosures of their own (a diploma's courses) is offered element
by element, each labelled by its title: the array's own Disclosure alone would show an
empty list. A chosen claim brings the Disclosures of the claims that contain it (RFC 9901
§7.2 step 2), so a chosen element brings its array.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from wallet.credential_types import CredentialType
from wallet.sdjwt import ClaimPath, ConcretePath
from wallet.sdjwt_vc import HIDDEN_BY_DEFAULT
from wallet.web.api.wallet_answers import text_in

#: The start of a checkbox's name; the rest is the claim's path joined by "/".
CLAIM_FIELD = "claim:"


@dataclass(frozen=True)
class Choice:
    """A claim the learner may disclose.

    :param key: its path joined by "/", as the verifier reports it.
    :param path: its path in the credential's claims (array indices as numbers).
    :param label: its label in the page language (an array element's: its title).
    :param group: the label of the claim that contains it, when the type metadata has one.
    :param offered: False for an array offered element by element, and for a Disclosure the
        type metadata does not list; such claims are disclosed only as containers.
    """

    key: str
    path: ConcretePath
    label: str
    group: str | None = None
    offered: bool = True


@dataclass(frozen=True)
class Presentable:
    """One of the learner's SD-JWT VCs and what may be chosen from it, in form order."""

    item_id: str
    title: str | None
    choices: tuple[Choice, ...]

    @property
    def offered(self) -> list[Choice]:
        """The claims the form has a checkbox for."""
        return [choice for choice in self.choices if choice.offered]

    def disclosed(self, chosen: Collection[Choice]) -> list[Choice]:
        """``chosen`` with every Disclosure that contains one of them, in form order."""
        keys = {choice.key for choice in chosen}
        for choice in chosen:
            keys.update(_key(choice.path[:end]) for end in range(1, len(choice.path)))
        return [choice for choice in self.choices if choice.key in keys]


def _key(path: Iterable[str | int]) -> str:
    return "/".join(str(part) for part in path)


def _locate(claims: Mapping[str, Any], key: str) -> tuple[ConcretePath, Any] | None:
    """The path (indices as numbers) and value of a "/"-joined path in ``claims``."""
    node: Any = claims
    path: list[str | int] = []
    step: str | int
    for part in key.split("/"):
        if isinstance(node, list):
            if not (part.isascii() and part.isdigit()) or int(part) >= len(node):
                return None
            node, step = node[int(part)], int(part)
        elif isinstance(node, Mapping) and part in node:
            node, step = node[part], part
        else:
            return None
        path.append(step)
    return tuple(path), node


def _matches(path: ConcretePath, pattern: ClaimPath) -> bool:
    """Whether ``path`` is a claim of the type metadata's ``pattern`` (None: any index)."""
    return len(path) == len(pattern) and all(
        want == part if want is not None else isinstance(part, int)
        for part, want in zip(path, pattern, strict=True)
    )


def _element_label(value: Any, label: str, index: int, lang: str) -> str:
    """An array element's label: its title in ``lang`` if it has one, else its number."""
    title = value.get("title") if isinstance(value, Mapping) else None
    if isinstance(title, Mapping):
        title = text_in({k: v for k, v in title.items() if isinstance(v, str)}, lang)
    return title if isinstance(title, str) and title else f"{label} {index + 1}"


def choices_of(
    ctype: CredentialType | None,
    claims: Mapping[str, Any],
    disclosures: Iterable[str],
    lang: str,
) -> tuple[Choice, ...]:
    """What the learner may choose from a credential, in the type metadata's order.

    :param claims: the credential's claims with every Disclosure substituted.
    :param disclosures: the "/"-joined path of every Disclosure the credential carries.
    """
    located = {key: spot for key in disclosures if (spot := _locate(claims, key)) is not None}
    described = [] if ctype is None else ctype.metadata["claims"]
    labels = {
        tuple(claim["path"]): text_in({d["locale"]: d["label"] for d in claim["display"]}, lang)
        for claim in described
    }
    found: list[tuple[Choice, Any]] = []
    taken: set[str] = set()
    for claim in described:
        pattern: ClaimPath = tuple(claim["path"])
        if claim.get("sd") not in HIDDEN_BY_DEFAULT:
            continue
        label = labels[pattern] or next(p for p in reversed(pattern) if isinstance(p, str))
        group = next(
            (labels[pattern[:end]] for end in range(len(pattern) - 1, 0, -1)
             if labels.get(pattern[:end])),
            None,
        )  # fmt: skip
        matching = sorted(
            ((path, key, value) for key, (path, value) in located.items()
             if key not in taken and _matches(path, pattern)),
            key=lambda entry: entry[0],
        )  # fmt: skip
        for path, key, value in matching:
            if pattern[-1] is None:
                assert isinstance(path[-1], int)
                shown = _element_label(value, label, path[-1], lang)
            else:
                shown = label
            taken.add(key)
            found.append((Choice(key=key, path=path, label=shown, group=group), value))
    # Disclosures the metadata does not list can only come along as containers.
    found += [
        (Choice(key=key, path=path, label=key, offered=False), value)
        for key, (path, value) in located.items()
        if key not in taken
    ]
    return tuple(
        replace(c, offered=False)
        if c.offered and isinstance(value, list) and _has_elements(c, found)
        else c
        for c, value in found
    )


def _has_elements(array: Choice, found: Iterable[tuple[Choice, Any]]) -> bool:
    """Whether some offered choice is an element (or inside an element) of ``array``."""
    size = len(array.path)
    return any(c.offered and c.path[:size] == array.path and len(c.path) > size for c, _ in found)
