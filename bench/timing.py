"""Timing helpers shared by the benchmarks: calls per second, and ours beside a floor."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping


def per_op(fn: Callable[[], object], n: int) -> float:
    """Seconds per call of ``fn`` over ``n`` calls."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def interleaved(
    ours: Callable[[], object], floor: Callable[[], object], *, chunks: int = 40, ops: int = 50
) -> tuple[float, float]:
    """Alternate short runs of ``floor`` and ``ours``; return seconds per call of each.

    Both figures then come from the same stretch of time, so the ratio is not skewed by a
    neighbour's load arriving during one of them.
    """
    ours_total = floor_total = 0.0
    for _ in range(chunks):
        floor_total += per_op(floor, ops)
        ours_total += per_op(ours, ops)
    return ours_total / chunks, floor_total / chunks


def alternated(
    functions: Mapping[str, Callable[[], object]], *, chunks: int, ops: int
) -> dict[str, float]:
    """Run each of ``functions`` for ``ops`` calls in turn, ``chunks`` times over; return
    seconds per call of each.

    :func:`interleaved` for more than two: every figure comes from the same stretch of time,
    so ratios between any two of them are not skewed by a neighbour's passing load.
    """
    totals = dict.fromkeys(functions, 0.0)
    for _ in range(chunks):
        for name, fn in functions.items():
            totals[name] += per_op(fn, ops)
    return {name: total / chunks for name, total in totals.items()}


def paired_ratios(
    ours: Callable[[], object], floor: Callable[[], object], *, chunks: int, ops: int
) -> tuple[list[float], float, float]:
    """Time ``ours`` and ``floor`` in adjacent runs of ``ops`` calls, ``chunks`` times, the
    one that goes first alternating; return every pair's ratio and the mean seconds per
    call of each.

    For figures within a few per cent of each other: a ratio taken over two runs a
    millisecond apart is barely touched by a neighbour's load, and the median of many
    such ratios ignores the pairs that a load spike did split.
    """
    ratios: list[float] = []
    ours_total = floor_total = 0.0
    for chunk in range(chunks):
        if chunk % 2:
            mine, base = per_op(ours, ops), per_op(floor, ops)
        else:
            base, mine = per_op(floor, ops), per_op(ours, ops)
        ratios.append(mine / base)
        ours_total += mine
        floor_total += base
    return ratios, ours_total / chunks, floor_total / chunks
