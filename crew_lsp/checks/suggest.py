"""Did-you-mean: case-insensitive Levenshtein distance ≤ 3 and below half the word's length."""

from __future__ import annotations

from collections.abc import Iterable


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


def suggest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Close candidates, best first (ties keep the candidates' order)."""
    # accepted: d <= 3 and 2d < len(word); anything at `limit` or beyond is cut short
    cut = min(3, (len(word) - 1) // 2) + 1
    if cut <= 0:
        return []
    scored = []
    for cand in dict.fromkeys(candidates):
        if cand == word:
            continue
        d = distance(word, cand, cut)
        if d < cut:
            scored.append((d, cand))
    scored.sort(key=lambda p: p[0])
    return [c for _, c in scored[:limit]]


def did_you_mean(options: list[str]) -> str:
    if not options:
        return ""
    return " — did you mean " + " or ".join(f"`{o}`" for o in options) + "?"
