"""Did-you-mean suggestions (case-insensitive Levenshtein distance at most 3 and below half the word) and the edit helper."""

from __future__ import annotations

import random

from checkutil import apply_edits

from crew_lsp.checks.suggest import did_you_mean, distance, suggest


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_banded_distance_matches_the_full_one_below_the_limit():
    rng = random.Random(7)
    for _ in range(5000):
        a = "".join(rng.choice("abcA") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abcB") for _ in range(rng.randint(0, 9)))
        for limit in (1, 2, 3, 4):
            assert distance(a, b, limit) == min(_levenshtein(a, b), limit), (a, b, limit)


def test_suggestions():
    assert suggest("exector", ["explorer", "executor", "verifier"]) == ["executor"]
    assert suggest("EXECUTOR", ["executor"]) == ["executor"]  # case-insensitive
    assert suggest("plna", ["plan"]) == []  # distance 2 is not below half of 4
    assert suggest("plann", ["plan"]) == ["plan"]
    assert suggest("abcdef", ["abcxyz"]) == []  # distance 3 is not below half of 6
    assert suggest("abcdefghij", ["abcdefgxyz"]) == ["abcdefgxyz"]  # distance 3, below half of 10
    assert suggest("abcdefghij", ["abcdefghxyz"]) == ["abcdefghxyz"]
    assert suggest("abcdefghijkl", ["abcdefghwxyz"]) == []  # distance 4 > 3
    assert suggest("x", ["x", "X"]) == ["X"]
    assert suggest("", ["a"]) == []
    assert suggest("reviewr", ["reviewer", "reviewers", "review", "viewer"]) == ["reviewer", "review", "reviewers"]


def test_did_you_mean():
    assert did_you_mean([]) == ""
    assert did_you_mean(["a", "b"]) == " — did you mean `a` or `b`?"


def test_apply_edits_counts_utf16_and_keeps_line_endings():
    text = "a😀b\r\nsecond\n"
    assert apply_edits(text, [[0, 3, 0, 4, "B"]]) == "a😀B\r\nsecond\n"
    assert apply_edits(text, [[0, 0, 1, 0, ""], [1, 0, 1, 6, "2nd"]]) == "2nd\n"
    assert apply_edits(text, [[2, 0, 2, 0, "end\n"]]) == text + "end\n"


def _suggest_by_definition(word: str, candidates: list[str], limit: int = 3) -> list[str]:
    cut = min(3, (len(word) - 1) // 2) + 1
    scored = [(distance(word, c, cut), c) for c in dict.fromkeys(candidates) if c != word] if cut > 0 else []
    return [c for d, c in sorted((p for p in scored if p[0] < cut), key=lambda p: p[0])[:limit]]


def test_the_cheap_bounds_never_drop_a_suggestion():
    """suggest() prunes by length, letter sets and letter counts (and keeps long lists prepared): same answers."""
    rng = random.Random(11)
    alphabet = "abcde-_AB0İıßẞ"
    for size in (3, 12, 80, 300):  # short lists are scanned directly, long ones through the prepared buckets
        for _ in range(150 if size < 100 else 40):
            cands = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(size)]
            word = rng.choice(cands) if rng.random() < 0.5 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
            if word and rng.random() < 0.5:  # a near miss of a candidate
                i = rng.randrange(len(word))
                word = word[:i] + rng.choice(alphabet) + word[i + 1:]
            assert suggest(word, cands) == _suggest_by_definition(word, cands), (word, cands[:5])


def test_suggestions_among_20000_names_find_near_misses_at_either_end():
    """Past 1,000 candidates only the names next to the word (in sorted and reversed order) are compared."""
    names = [f"role{i}" for i in range(20_000)]
    assert suggest("role1234x", names)[0] == "role1234"  # same start
    assert "role1234" in suggest("rloe1234", names)  # same end
    assert suggest("zzzzzzzz", names) == []


def test_suggestions_among_many_names_are_always_close():
    rng = random.Random(5)
    cands = ["".join(rng.choice("abcdef") for _ in range(rng.randint(3, 9))) for _ in range(3_000)]
    for _ in range(100):
        word = "".join(rng.choice("abcdef") for _ in range(rng.randint(3, 9)))
        allowed = set(_suggest_by_definition(word, cands, limit=len(cands)))
        assert set(suggest(word, cands)) <= allowed


def test_a_word_asked_again_among_the_same_names_gets_the_same_suggestions():
    """Answers are remembered per set of names (a `NameIndex`, a long list): asking again, or changing the
    list handed back, changes nothing; a new set of names (an edit) is measured afresh."""
    from crew_lsp.resources.similar import NameIndex

    names = NameIndex.of(["executor", "explorer", "verifier"])
    first = suggest("exector", names)
    first.append("changed by the caller")
    assert suggest("exector", names) == ["executor"]
    assert suggest("exector", names, limit=0) == []
    assert suggest("exector", names.changed(["executor"], ["executer"])) == ["executer"]
    long_list = [f"agent-{i}" for i in range(60)] + ["executor"]
    assert suggest("exector", long_list) == ["executor"]
    assert suggest("exector", tuple(long_list)) == ["executor"]
    assert suggest("exector", long_list[:-1] + ["executer"]) == ["executer"]
