"""Did-you-mean: case-insensitive Levenshtein distance ≤ 3 and below half the word's length."""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str, limit: int = 4) -> int:
    a, b = a.lower(), b.lower()
    if a == b:
        return 0
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        best = i
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            cur.append(v)
            best = min(best, v)
        if best >= limit:
            return limit
        prev = cur
    return prev[-1]


def suggest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Close candidates, best first (ties keep the candidates' order)."""
    if not word:
        return []
    scored = []
    for cand in dict.fromkeys(candidates):
        if cand == word:
            continue
        d = distance(word, cand)
        if d <= 3 and d * 2 < max(len(word), 1):
            scored.append((d, cand))
    scored.sort(key=lambda p: p[0])
    return [c for _, c in scored[:limit]]


def did_you_mean(options: list[str]) -> str:
    if not options:
        return ""
    return " — did you mean " + " or ".join(f"`{o}`" for o in options) + "?"
