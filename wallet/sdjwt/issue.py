"""Issuing an SD-JWT (RFC 9901 §4.1–§4.2) or SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3).

Which claims are selectively disclosable is given as claim paths, as in SD-JWT VC Type
Metadata: ``("birthDate",)`` hides one object property behind a digest in ``_sd``;
``("achievement", "courses", None)`` hides every element of the array behind a
``{"...": digest}`` placeholder; an integer selects one element. Paths nest: with both
``("achievement", "courses")`` and ``("achievement", "courses", None)`` the array is hidden
as a whole and each course once more inside it (a recursive Disclosure, §4.2.6), inner
Disclosures first. A path whose claim is absent selects nothing; a path that meets a value
of the wrong shape (a key into an array, an index into an object, anything into a scalar)
is refused, since the claim it meant to hide would stay visible.

Randomness is the caller's: ``salt()`` returns fresh CSPRNG bytes (at least 16, §9.3) for
each Disclosure and each decoy digest, which are the hash of such bytes (§4.2.5). Digests in
``_sd`` are sorted, so their order says nothing about the claims' order (§4.2.4.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wallet.errors import AlgorithmError, InputError
from wallet.jose import CompactSigner, SigningKey, b64url_encode, dumps_compact, signer
from wallet.sdjwt.encoding import HashFunction, digest, encode_disclosure, hash_function
from wallet.sdjwt.model import (
    DEFAULT_SD_ALG,
    ELLIPSIS,
    MIN_SALT_BYTES,
    NEVER_DISCLOSABLE,
    RESERVED_NAMES,
    SD,
    SD_ALG,
    SD_JWT_VC_TYP,
    ClaimPath,
    IssuedSDJWT,
)


class _Node:
    """One step of the compiled claim paths: is the value here hidden, and what lies below."""

    __slots__ = ("every", "indices", "keys", "sd")

    def __init__(self) -> None:
        self.sd = False
        self.keys: dict[str, _Node] = {}
        self.indices: dict[int, _Node] = {}
        self.every: _Node | None = None

    def branches(self) -> bool:
        return bool(self.keys or self.indices or self.every)


def _merge(first: _Node | None, second: _Node | None) -> _Node | None:
    """The node for an array element selected both by ``None`` and by its index."""
    if first is None or second is None:
        return first or second
    merged = _Node()
    merged.sd = first.sd or second.sd
    # Each name and index below is in at least one of the two, so the merge is never None.
    for name in first.keys.keys() | second.keys.keys():
        merged.keys[name] = _merge(first.keys.get(name), second.keys.get(name)) or _Node()
    for index in first.indices.keys() | second.indices.keys():
        merged.indices[index] = (
            _merge(first.indices.get(index), second.indices.get(index)) or _Node()
        )
    merged.every = _merge(first.every, second.every)
    return merged


@dataclass(frozen=True, eq=False)
class SDPaths:
    """Claim paths compiled once (per credential type) by :func:`compile_sd_paths`."""

    root: _Node


def compile_sd_paths(
    paths: Collection[ClaimPath | list[str | int | None]],
    *,
    never_disclosable: Collection[str] = NEVER_DISCLOSABLE,
) -> SDPaths:
    """Check and compile claim paths for :func:`issue_sd_jwt`.

    :param never_disclosable: top-level claims no path may hide or reach into (SD-JWT VC
        §3.2.2.2: ``iss``, ``nbf``, ``exp``, ``cnf``, ``vct``, ``vct#integrity``, ``status``).
    :raises InputError: for a path given as a bare string, an empty path, a component that is
        not a string, a non-negative integer or None, a first component that is not a claim
        name, a reserved name (``_sd``, ``_sd_alg``, ``...``) anywhere, or a never-disclosable
        claim.
    """
    if any(isinstance(path, str) for path in paths):
        # tuple("birthDate") would silently become a path of single letters.
        raise InputError("a claim path is a sequence of names, e.g. ('birthDate',)")
    key = tuple(tuple(path) for path in paths)
    try:
        hash(key)
    except TypeError as exc:
        raise InputError("a claim path holds strings, non-negative integers and None") from exc
    return _compile(key, frozenset(never_disclosable))


@lru_cache(maxsize=256)
def _compile(paths: tuple[ClaimPath, ...], never: frozenset[str]) -> SDPaths:
    root = _Node()
    for path in paths:
        if not path or not isinstance(path[0], str):
            raise InputError("a selectively disclosable claim path starts with a claim name")
        if path[0] in never:
            raise InputError(f"the claim {path[0]!r} must not be selectively disclosable")
        node = root
        for part in path:
            if isinstance(part, str):
                if part in RESERVED_NAMES:
                    raise InputError(f"{part!r} cannot be a claim name in an SD-JWT")
                node = node.keys.setdefault(part, _Node())
            elif part is None:
                node.every = node.every or _Node()
                node = node.every
            elif isinstance(part, int) and not isinstance(part, bool) and part >= 0:
                node = node.indices.setdefault(part, _Node())
            else:
                raise InputError("a claim path holds strings, non-negative integers and None")
        node.sd = True
    return SDPaths(root=root)


def sd_jwt_signer(
    key: SigningKey, *, kid: str | None = None, typ: str = SD_JWT_VC_TYP
) -> CompactSigner:
    """A signer for Issuer-signed JWTs: header ``{"typ": typ, "kid": kid, "alg": key.alg}``.

    Build it once per issuer key and reuse it for a batch (explicit typing, RFC 9901 §9.11).
    """
    header: dict[str, Any] = {"typ": typ}
    if kid is not None:
        header["kid"] = kid
    return signer(header, key)


class _Builder:
    """Makes the Disclosures and digests of one issuance."""

    __slots__ = ("decoys", "disclosures", "hash_fn", "salt", "seen")

    def __init__(
        self, hash_fn: HashFunction, salt: Callable[[], bytes], decoys: Callable[[int], int]
    ) -> None:
        self.hash_fn = hash_fn
        self.salt = salt
        self.decoys = decoys
        self.disclosures: list[str] = []
        self.seen: set[str] = set()

    def _random(self) -> bytes:
        raw = self.salt()
        if len(raw) < MIN_SALT_BYTES:
            raise InputError(f"a salt needs at least {MIN_SALT_BYTES} random bytes")
        return raw

    def _unique(self, key: str) -> str:
        # Distinct salts make equal digests impossible; meeting one means the salt source
        # repeats itself, and a verifier would refuse the SD-JWT (RFC 9901 §7.1 step 4).
        if key in self.seen:
            raise InputError("the salt source repeated a value")
        self.seen.add(key)
        return key

    def disclose(self, items: list[Any]) -> str:
        text = encode_disclosure(items)
        self.disclosures.append(text)
        return self._unique(digest(self.hash_fn, text))

    def decoy(self) -> str:
        return self._unique(b64url_encode(self.hash_fn(self._random()).digest()))

    def value(self, value: Any, node: _Node, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, dict):
            return self.obj(value, node, path)
        if isinstance(value, list):
            return self.array(value, node, path)
        raise InputError(f"the claim path {_show(path)} continues into a plain value")

    def obj(
        self, value: Mapping[str, Any], node: _Node, path: tuple[str | int, ...]
    ) -> dict[str, Any]:
        if node.indices or node.every:
            raise InputError(f"the claim path selects array elements of the object {_show(path)}")
        out: dict[str, Any] = {}
        digests: list[str] = []
        for name, item in value.items():
            child = node.keys.get(name)
            if child is None:
                out[name] = item
                continue
            if child.branches():
                item = self.value(item, child, (*path, name))
            if child.sd:
                digests.append(self.disclose([b64url_encode(self._random()), name, item]))
            else:
                out[name] = item
        if digests:
            digests.extend(self.decoy() for _ in range(self.decoys(len(digests))))
            digests.sort()
            out[SD] = digests
        return out

    def array(self, value: list[Any], node: _Node, path: tuple[str | int, ...]) -> list[Any]:
        if node.keys:
            raise InputError(f"the claim path selects object members of the array {_show(path)}")
        out: list[Any] = []
        hidden = 0
        for index, item in enumerate(value):
            child = _merge(node.every, node.indices.get(index)) if node.indices else node.every
            if child is None:
                out.append(item)
                continue
            if child.branches():
                item = self.value(item, child, (*path, index))
            if child.sd:
                out.append({ELLIPSIS: self.disclose([b64url_encode(self._random()), item])})
                hidden += 1
            else:
                out.append(item)
        if hidden:
            for _ in range(self.decoys(hidden)):
                position = int.from_bytes(self._random()[:4], "big") % (len(out) + 1)
                out.insert(position, {ELLIPSIS: self.decoy()})
        return out


def _show(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(part) for part in path)


_RESERVED_TEXT = re.compile(rb'"(?:_sd|_sd_alg|\.\.\.)"')


def _refuse_reserved(claims: Mapping[str, Any]) -> None:
    """Refuse input claims that use ``_sd``, ``_sd_alg`` or ``...`` as a member name.

    RFC 9901 §4.1 rule 7 and §4.1.1 reserve them. The compact JSON of the claims is scanned
    first (one regular-expression pass, a few microseconds): a member named ``_sd`` shows as
    the bytes ``"_sd"``, so only input where such bytes occur at all (in a key, or in a
    string value) takes the exact walk.
    """
    if _RESERVED_TEXT.search(dumps_compact(claims)) is None:
        return
    stack: list[Any] = [claims]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            found = RESERVED_NAMES.intersection(value)
            if found:
                raise InputError(f"the claims use the reserved name {sorted(found)[0]!r}")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _fixed(count: int) -> Callable[[int], int]:
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise InputError("the number of decoys is a non-negative integer")
    return lambda _real: count


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    signer: CompactSigner,
    sd_paths: SDPaths | Collection[ClaimPath],
    salt: Callable[[], bytes],
    decoys: int | Callable[[int], int] = 0,
    sd_alg: str = DEFAULT_SD_ALG,
) -> IssuedSDJWT:
    """Issue an SD-JWT over ``claims`` with the claims at ``sd_paths`` selectively disclosable.

    :param signer: signs the payload; its header carries ``typ`` (:func:`sd_jwt_signer`).
    :param sd_paths: claim paths (see the module docstring), or :class:`SDPaths` compiled
        once by :func:`compile_sd_paths`; raw paths are compiled with the SD-JWT VC rules.
    :param salt: fresh CSPRNG bytes on every call, at least 16 (RFC 9901 §9.3).
    :param decoys: decoy digests added to each ``_sd`` array and each array with hidden
        elements: a count, or a function of the number of real digests there (§4.2.5).
    :param sd_alg: the ``_sd_alg`` hash (§4.1.1); ``sha-256`` unless a profile says otherwise.
    :raises InputError: for reserved names in ``claims``, paths that do not fit them, short
        or repeating salts, or an unsupported ``sd_alg``.
    """
    compiled = sd_paths if isinstance(sd_paths, SDPaths) else compile_sd_paths(sd_paths)
    try:
        hash_fn = hash_function(sd_alg)
    except AlgorithmError as exc:
        raise InputError(f"cannot issue with _sd_alg {sd_alg!r}") from exc
    _refuse_reserved(claims)
    builder = _Builder(hash_fn, salt, decoys if callable(decoys) else _fixed(decoys))
    payload = builder.obj(claims, compiled.root, ())
    if builder.disclosures:
        payload[SD_ALG] = sd_alg
    jwt = signer.sign_serialized(dumps_compact(payload))
    return IssuedSDJWT(jwt=jwt, disclosures=tuple(builder.disclosures))
