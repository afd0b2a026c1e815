"""The index permutation: a bijection of ``range(size)``, keyed, deterministic, unordered.

Whether indices "look random" cannot be proven by a test; these check what can be: every
position maps to a distinct index (exhaustively), the key decides the order, and consecutive
counters land far apart, with the mean jump of a uniformly random permutation (``size / 3``).
"""

from __future__ import annotations

import statistics

import pytest

from wallet.errors import InputError
from wallet.status import MIN_ENTRIES, IndexPermutation

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture(scope="module")
def full_list() -> list[int]:
    """The whole permutation of a minimum-size W3C list, computed once (about 0.4 s)."""
    permutation = IndexPermutation(KEY, MIN_ENTRIES)
    return [permutation(counter) for counter in range(MIN_ENTRIES)]


@pytest.mark.parametrize("size", [2, 3, 4, 5, 8, 17, 1000, 1024, 1025])
def test_small_sizes_are_bijections(size: int) -> None:
    permutation = IndexPermutation(KEY, size)
    assert sorted(permutation(counter) for counter in range(size)) == list(range(size))


def test_minimum_w3c_list_is_a_bijection(full_list: list[int]) -> None:
    assert sorted(full_list) == list(range(MIN_ENTRIES))


def test_order_is_not_the_identity(full_list: list[int]) -> None:
    fixed = sum(1 for counter, index in enumerate(full_list) if counter == index)
    assert fixed < 20  # a random permutation has one fixed point on average
    assert full_list[:8] != sorted(full_list[:8])


def test_consecutive_counters_land_far_apart(full_list: list[int]) -> None:
    jumps = [abs(b - a) for a, b in zip(full_list, full_list[1:], strict=False)]
    expected = MIN_ENTRIES / 3  # E|X - Y| for X, Y uniform on [0, size)
    assert abs(statistics.fmean(jumps) - expected) < 0.25 * expected
    # Near-consecutive indices for consecutive counters would betray the order.
    near = sum(1 for jump in jumps if jump <= 8)
    assert near < 0.001 * MIN_ENTRIES


def test_index_is_uncorrelated_with_counter(full_list: list[int]) -> None:
    correlation = statistics.correlation(range(MIN_ENTRIES), full_list)
    assert abs(correlation) < 0.02
    # The first thousand issued are spread over the whole list, not bunched at its start.
    first = full_list[:1000]
    assert min(first) < MIN_ENTRIES * 0.01
    assert max(first) > MIN_ENTRIES * 0.99
    assert abs(statistics.fmean(first) - MIN_ENTRIES / 2) < MIN_ENTRIES * 0.05


def test_same_key_same_order() -> None:
    first, second = IndexPermutation(KEY, 1000), IndexPermutation(bytes(KEY), 1000)
    assert [first(i) for i in range(1000)] == [second(i) for i in range(1000)]


def test_different_keys_give_different_orders() -> None:
    first, second = IndexPermutation(KEY, 1000), IndexPermutation(OTHER_KEY, 1000)
    ours, theirs = [first(i) for i in range(1000)], [second(i) for i in range(1000)]
    assert ours != theirs
    agreeing = sum(1 for a, b in zip(ours, theirs, strict=True) if a == b)
    assert agreeing < 20  # about one agreement is expected between unrelated orders


def test_size_changes_the_order() -> None:
    small, large = IndexPermutation(KEY, 1000), IndexPermutation(KEY, MIN_ENTRIES)
    assert [small(i) for i in range(10)] != [large(i) % 1000 for i in range(10)]


@pytest.mark.parametrize("counter", [-1, 1000, 1 << 64])
def test_counter_outside_the_list_is_refused(counter: int) -> None:
    with pytest.raises(InputError):
        IndexPermutation(KEY, 1000)(counter)


def test_short_key_is_refused() -> None:
    with pytest.raises(InputError):
        IndexPermutation(bytes(15), 1000)
    assert IndexPermutation(bytes(16), 1000).size == 1000


@pytest.mark.parametrize("size", [1, 0, -5])
def test_size_below_two_is_refused(size: int) -> None:
    with pytest.raises(InputError):
        IndexPermutation(KEY, size)


def test_repr_hides_the_key() -> None:
    text = repr(IndexPermutation(KEY, 1000))
    assert KEY.hex() not in text
    assert "1000" in text
