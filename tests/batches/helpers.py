"""Batch files for the batch tests: JSON Lines rows of the diploma example, valid personal
codes, and running a batch the way the API and the CLI do."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.factories import World
from wallet import batches
from wallet.batches import BatchOptions
from wallet.db.models import IssuanceBatch

#: Weights of the personal-code check digit (wallet/personal_code.py).
_WEIGHTS = (10, 5, 8, 4, 2, 1, 6, 3, 7, 9)


def personal_code(n: int) -> str:
    """A valid new-format personal code (32…), distinct for each ``n``."""
    body = f"32{n:08d}"
    check = (1 + sum(w * int(d) for w, d in zip(_WEIGHTS, body, strict=True))) % 11 % 10
    return f"{body[:6]}-{body[6:]}{check}"


def diploma_row(world: World, n: int, **changes: Any) -> dict[str, Any]:
    """A JSON Lines row: the diploma example for learner ``n`` (Latvian names)."""
    subject = copy.deepcopy(world.services.types.get("diploma").example)
    subject.pop("id", None)
    subject["givenName"] = f"Jānis{n}"
    subject["familyName"] = "Bērziņš"
    row: dict[str, Any] = {
        "externalId": f"S-{n}",
        "learner": {"personalCode": personal_code(n)},
        "credentialSubject": subject,
    }
    row.update(changes)
    return row


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def run_batch(
    world: World,
    data: bytes,
    *,
    filename: str = "cohort.jsonl",
    issuer: str = "uni",
    **options: Any,
) -> IssuanceBatch:
    """Submit and run a batch as ``imk import`` does (without delivering)."""
    services = world.services
    entry = services.registry.by_slug(issuer)
    opts = BatchOptions(filename=filename, **{"type_name": "diploma", **options})
    batch, fresh = batches.submit(
        services.batches, issuer=entry, data=data, options=opts, actor="test", now=services.now()
    )
    if not fresh:
        return batch
    return batches.run(
        services.batches, batch=batch, issuer=entry, data=data, options=opts, now=services.now()
    )
