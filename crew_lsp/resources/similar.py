"""Edit distance for did-you-mean, and whether a name is close enough to another to be suggested for it.

The index uses `close` to find the references whose suggestions a new or vanished name may change;
`crew_lsp.checks.suggest` builds the suggestions themselves on `distance`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable


def cut_for(word: str) -> int:
    """One more than the largest distance a suggestion for `word` may have (≤ 3 and below half its length)."""
    return min(3, (len(word) - 1) // 2) + 1


def close(word: str, candidate: str) -> bool:
    """Whether `candidate` is within did-you-mean distance of `word` (case-insensitively)."""
    cut = cut_for(word)
    if cut <= 0 or abs(len(word) - len(candidate)) >= cut:
        return False
    # each distinct letter one word lacks costs an edit: a cheap bound before the distance itself
    letters, others = set(word.lower()), set(candidate.lower())
    if len(letters - others) >= cut or len(others - letters) >= cut:
        return False
    return distance(word, candidate, cut) < cut


def distance(a: str, b: str, limit: int = 4) -> int:
    """Case-insensitive Levenshtein distance, or ``limit`` as soon as it cannot be below it.

    Only the diagonal band |i - j| < limit can hold a value below the limit, so the rest of each row
    stays at ``limit``: suggestions over hundreds of names cost a few microseconds each.
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    a, b = a.lower(), b.lower()
    if a == b:
        return 0
    # a common start and end cost nothing: measure only what differs (near-twins such as
    # `api-explorer-12` and `api-explorer-13` then cost a one-letter table)
    shorter = min(len(a), len(b))
    i = 0
    while i < shorter and a[i] == b[i]:
        i += 1
    j = 0
    while j < shorter - i and a[-1 - j] == b[-1 - j]:
        j += 1
    a, b = a[i:len(a) - j], b[i:len(b) - j]
    if not a or not b:
        return min(len(a) + len(b), limit)
    m = len(b)
    prev = [j if j < limit else limit for j in range(m + 1)]
    for i, ca in enumerate(a, 1):
        cur = [limit] * (m + 1)
        cur[0] = best = i if i < limit else limit
        for j in range(max(1, i - limit + 1), min(m, i + limit - 1) + 1):
            v = prev[j - 1] if ca == b[j - 1] else prev[j - 1] + 1
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if v < limit:
                cur[j] = v
                if v < best:
                    best = v
        if best >= limit:
            return limit
        prev = cur
    return prev[m]


# Sets larger than this are not scanned whole: a lookup takes the names nearest the word in sorted
# order and in sorted order of the reversed names, NEIGHBOURS on each side. An edit keeps either the
# word's start or its end, so close names sit near it in one of the two orders; the cost of a lookup
# stays bounded whatever the number of names.
SCAN_ALL = 1_000
NEIGHBOURS = 250


class NameIndex:
    """A set of names in the two sorted orders did-you-mean looks them up in.

    Built once per snapshot generation and shared by every check against it; an edit that adds or
    removes a name makes a new one (`changed`) and never alters this one, which older snapshots hold.
    """

    __slots__ = ("forward", "backward")

    def __init__(self, forward: list[tuple[str, str]], backward: list[tuple[str, str, str]]):
        self.forward = forward  # (lower-cased, name), sorted
        self.backward = backward  # (reversed lower-cased, lower-cased, name), sorted

    @classmethod
    def of(cls, names: Iterable[str]) -> NameIndex:
        forward = sorted({(n.lower(), n) for n in names})
        return cls(forward, sorted((low[::-1], low, n) for low, n in forward))

    def __len__(self) -> int:
        return len(self.forward)

    def changed(self, removed: Iterable[str], added: Iterable[str]) -> NameIndex:
        forward, backward = list(self.forward), list(self.backward)
        for name in removed:
            low = name.lower()
            at = bisect_left(forward, (low, name))
            if at < len(forward) and forward[at] == (low, name):
                del forward[at]
                del backward[bisect_left(backward, (low[::-1], low, name))]
        for name in added:
            low = name.lower()
            at = bisect_left(forward, (low, name))
            if at == len(forward) or forward[at] != (low, name):
                forward.insert(at, (low, name))
                insort(backward, (low[::-1], low, name))
        return NameIndex(forward, backward)

    def near(self, low_word: str) -> list[tuple[str, str]]:
        """(lower-cased, name) of the names worth measuring against a word (in no useful order)."""
        forward = self.forward
        if len(forward) <= SCAN_ALL:
            return forward
        at = bisect_left(forward, (low_word,))
        picked = forward[max(0, at - NEIGHBOURS): at + NEIGHBOURS]
        seen = set(picked)
        backward = self.backward
        at = bisect_left(backward, (low_word[::-1],))
        picked.extend(e for e in ((low, name) for _, low, name in backward[max(0, at - NEIGHBOURS): at + NEIGHBOURS]) if e not in seen)
        return picked
