"""Did-you-mean: case-insensitive Levenshtein distance ≤ 3 and below half the word's length.

The cost of one suggestion is bounded whatever the number of candidates (see `SCAN_ALL`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from crew_lsp.resources.similar import NEIGHBOURS, SCAN_ALL, NameIndex, distance

__all__ = ["did_you_mean", "distance", "suggest"]


# Long candidate lists (every agent, every workflow) come back for each unknown name of a run: their
# lower-cased forms and letter sets, grouped by length, are kept for the last few lists.
_PREPARED: dict[tuple[str, ...], _Prepared] = {}
_PREPARED_MAX = 4
_PREPARE_FROM = 40  # shorter lists are scanned directly
_LAST: list[tuple[tuple[str, ...], _Prepared]] = []  # the last list prepared or found, held by identity
# Lists longer than SCAN_ALL (a hostile team of 20,000 roles) are looked up like a `NameIndex`: only
# the NEIGHBOURS names on each side of the word in the two sorted orders are measured.


# The same unknown name recurs across files (a skill the version does not ship, a renamed agent): its
# suggestions among one set of names are worked out once. A `NameIndex` never changes (an edit makes a
# new one), so an answer found for it stays true; the answers of the last few are kept with them.
_KNOWN: dict[int, _Known] = {}
_KNOWN_MAX = 3  # (agents, workflows, skills: an older generation's set is let go)
_ANSWERS_PER_SET = 4096  # words remembered per set of names (then forgotten all at once)


class _Known:
    __slots__ = ("index", "answers")

    def __init__(self, index: NameIndex):
        self.index = index  # (held: no other object can take its id meanwhile)
        self.answers: dict[tuple[str, int], tuple[str, ...]] = {}  # (word, limit) → suggestions


def _known(index: NameIndex) -> _Known:
    found = _KNOWN.get(id(index))
    if found is not None and found.index is index:
        return found
    if len(_KNOWN) >= _KNOWN_MAX:
        try:  # the oldest goes (another thread may be at it too: the server checks off the event loop)
            _KNOWN.pop(next(iter(_KNOWN)), None)
        except (StopIteration, RuntimeError):
            pass
    found = _KNOWN[id(index)] = _Known(index)
    return found


class _Prepared:
    """A long list's entries (position, candidate, lower-cased, letter set or None until needed)."""

    __slots__ = ("by_length", "forward", "backward", "entries", "answers")

    def __init__(self, cands: tuple[str, ...]):
        self.answers: dict[tuple[str, int], tuple[str, ...]] = {}  # (word, limit) → suggestions
        self.entries: list[tuple] = [(i, cand, cand.lower(), None) for i, cand in enumerate(dict.fromkeys(cands))]
        self.by_length: dict[int, list[tuple]] = {}
        self.forward: list[tuple[str, int]] = []
        self.backward: list[tuple[str, int]] = []
        if len(self.entries) > SCAN_ALL:
            self.forward = sorted((e[2], e[0]) for e in self.entries)
            self.backward = sorted((e[2][::-1], e[0]) for e in self.entries)
            return
        for i, cand, low, _ in self.entries:
            self.by_length.setdefault(len(cand), []).append((i, cand, low, set(low)))

    def near(self, low_word: str) -> list[tuple]:
        """The entries next to the word in both sorted orders, in the candidates' order."""
        picked: set[int] = set()
        for order, key in ((self.forward, low_word), (self.backward, low_word[::-1])):
            at = bisect_left(order, (key,))
            picked.update(i for _, i in order[max(0, at - NEIGHBOURS): at + NEIGHBOURS])
        return [self.entries[i] for i in sorted(picked)]


def _prepared(cands: tuple[str, ...]) -> _Prepared:
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is cands:
        return last[1]  # the same tuple again (a caller asking for many words): no need to hash it
    found = _PREPARED.get(cands)
    if found is None:
        found = _Prepared(cands)
        if len(_PREPARED) >= _PREPARED_MAX:
            try:  # the oldest goes (another thread may be at it too: the server checks off the event loop)
                _PREPARED.pop(next(iter(_PREPARED)), None)
            except (StopIteration, RuntimeError):
                pass
        _PREPARED[cands] = found
    _LAST[:] = [(cands, found)]
    return found


def _remember(answers: dict[tuple[str, int], tuple[str, ...]], key: tuple[str, int], found: list[str]) -> list[str]:
    if len(answers) >= _ANSWERS_PER_SET:
        answers.clear()
    answers[key] = tuple(found)
    return found


def _common(counts: dict[str, int], other: str) -> int:
    """How many letters two words share, counted with multiplicity."""
    n = 0
    for ch, k in counts.items():
        m = other.count(ch)
        n += m if m < k else k
    return n


def suggest(word: str, candidates: Iterable[str] | NameIndex, limit: int = 3) -> list[str]:
    """Close candidates, best first (ties keep the candidates' order; a `NameIndex`'s is alphabetical).

    The snapshot's sets of names (`Snapshot.names`) come as a `NameIndex`, built once per generation.
    """
    # accepted: d <= 3 and 2d < len(word); anything at `limit` or beyond is cut short
    cut = min(3, (len(word) - 1) // 2) + 1
    if cut <= 0:
        return []
    if isinstance(candidates, NameIndex):
        names = _known(candidates)
        known = names.answers.get((word, limit))
        if known is not None:
            return list(known)
        return _remember(names.answers, (word, limit), _measure(word, candidates, cut, limit))
    cands = tuple(candidates)  # (a tuple is itself); long lists are deduplicated once, when prepared
    if len(cands) >= _PREPARE_FROM:
        prepared = _prepared(cands)
        known = prepared.answers.get((word, limit))
        if known is not None:
            return list(known)
        return _remember(prepared.answers, (word, limit), _measure(word, prepared, cut, limit))
    return _measure(word, cands, cut, limit)


def _measure(word: str, candidates: tuple[str, ...] | NameIndex | _Prepared, cut: int, limit: int) -> list[str]:
    """`suggest`'s answer, worked out."""
    n = len(word)
    low_word = word.lower()
    letters = set(low_word)
    counts = {ch: low_word.count(ch) for ch in letters}
    # Cheap lower bounds of the edit distance first, so that it runs only on the few names that pass
    # them: the lengths (as `distance` itself cuts), the letter sets (each distinct letter one word
    # lacks costs an edit), then the letters with multiplicity (an edit fixes at most one).
    if isinstance(candidates, NameIndex):
        pool = [(None, cand, low, None) for low, cand in candidates.near(low_word) if n - cut < len(cand) < n + cut]
        pool.sort(key=lambda e: (e[2], e[1]))  # (few are left: ties in alphabetical order)
        return _best(word, pool, cut, letters, counts, low_word, limit)
    if isinstance(candidates, _Prepared):
        prepared = candidates
        if prepared.forward:
            pool = [e for e in prepared.near(low_word) if n - cut < len(e[1]) < n + cut]
        else:
            pool = [e for size in range(n - cut + 1, n + cut) for e in prepared.by_length.get(size, ())]
            pool.sort()  # back in the candidates' order
    else:
        pool = [(i, cand, cand.lower(), None) for i, cand in enumerate(dict.fromkeys(candidates)) if n - cut < len(cand) < n + cut]
    return _best(word, pool, cut, letters, counts, low_word, limit)


def _best(word: str, pool: list[tuple], cut: int, letters: set[str], counts: dict[str, int], low_word: str, limit: int) -> list[str]:
    """The `limit` closest entries of the pool (in the pool's order among equals)."""
    scored = []
    for _i, cand, low, chars in pool:
        if cand == word:
            continue
        if chars is None:
            chars = set(low)
        if len(letters.difference(chars)) >= cut or len(chars.difference(letters)) >= cut:
            continue
        if max(len(low_word), len(low)) - _common(counts, low) >= cut:
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
