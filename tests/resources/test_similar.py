"""Did-you-mean's building blocks: the capped edit distance and the shared sorted name sets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crew_lsp.resources.similar import SCAN_ALL, NameIndex, close, distance


def textbook_levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


words = st.text(alphabet="abAB-1", max_size=9)


@given(words, words, st.integers(min_value=1, max_value=4))
def test_distance_is_the_case_insensitive_levenshtein_distance_capped_at_the_limit(a, b, limit):
    assert distance(a, b, limit) == min(textbook_levenshtein(a, b), limit)


def test_near_twins_differ_by_what_lies_between_their_common_start_and_end():
    assert distance("api-explorer-12", "api-explorer-137") == 2
    assert distance("Scout", "scout") == 0


def test_close_follows_the_did_you_mean_bound():
    assert close("scrib", "scribe")
    assert not close("ab", "abc")  # two letters: no suggestion at all
    assert not close("zzzzzzzz", "scribe")


@given(st.sets(words, max_size=30), st.sets(words, max_size=5), st.sets(words, max_size=5))
def test_a_changed_name_set_equals_one_built_from_scratch(names, removed, added):
    changed = NameIndex.of(names).changed(removed, added)
    fresh = NameIndex.of((names - removed) | added)
    assert (changed.forward, changed.backward) == (fresh.forward, fresh.backward)


def test_a_large_name_set_offers_the_neighbours_in_either_sorted_order():
    index = NameIndex.of([f"name-{i:05d}" for i in range(SCAN_ALL * 3)] + ["zebra-00042"])
    near = {name for _, name in index.near("name-00042x")}
    assert "name-00042" in near and len(near) < len(index)
    assert "zebra-00042" in {name for _, name in index.near("zebr-00042")}  # (found by its end)
