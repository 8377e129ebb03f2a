"""Edit distance for did-you-mean, and whether a name is close enough to another to be suggested for it.

The index uses `close` to find the references whose suggestions a new or vanished name may change;
`crew_lsp.checks.suggest` builds the suggestions themselves on `distance`.
"""

from __future__ import annotations


def cut_for(word: str) -> int:
    """One more than the largest distance a suggestion for `word` may have (≤ 3 and below half its length)."""
    return min(3, (len(word) - 1) // 2) + 1


def close(word: str, candidate: str) -> bool:
    """Whether `candidate` is within did-you-mean distance of `word` (case-insensitively)."""
    cut = cut_for(word)
    return cut > 0 and distance(word, candidate, cut) < cut


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
