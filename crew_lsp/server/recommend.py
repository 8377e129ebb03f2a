"""`crew.recommend`: the best team for a goal, by the teams' `triggers`, `useWhen` and `avoidWhen`."""

from __future__ import annotations

import re
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_STOP = frozenset("""a an and are as at be but by can do for from has have i if in into is it its me my no not of on
or our so that the their then there these this to too was we were what when where which who why will with you your
need needs should would could""".split())
TRIGGER_WEIGHT = 2.0  # a matched trigger phrase scores this plus one per word of the phrase
USE_WHEN_WEIGHT = 1.0  # per distinct useWhen word in the goal
AVOID_WHEN_WEIGHT = 0.5  # subtracted per distinct avoidWhen word in the goal


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower().replace("-", " "))]


def _csv(res: Any, key: str) -> list[str]:
    doc = getattr(res, "doc", None)
    value = doc.frontmatter.get(key) if doc is not None else None
    if key == "triggers" and not value and doc is not None:
        value = doc.frontmatter.get("trigger")
    if not value:
        return []
    return [p.strip().strip("\"'") for p in str(value).split(",") if p.strip().strip("\"'")]


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def recommend(snap: Any, goal: str) -> dict[str, Any]:
    """The best team for a goal by `triggers` (phrases) and `useWhen`/`avoidWhen` (words), with the reason."""
    words = _words(goal)
    content = {w for w in words if w not in _STOP and len(w) > 2}
    scored = []
    for name, res in sorted(snap.teams.items()):
        triggers = [t for t in _csv(res, "triggers") if _contains(words, _words(t))]
        use = sorted({w for item in _csv(res, "useWhen") for w in _words(item)} & content)
        avoid = sorted({w for item in _csv(res, "avoidWhen") for w in _words(item)} & content)
        score = (sum(TRIGGER_WEIGHT + len(_words(t)) for t in triggers) + USE_WHEN_WEIGHT * len(use)
                 - AVOID_WHEN_WEIGHT * len(avoid))
        scored.append((score, len(triggers), name, res, triggers, use, avoid))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2] != "default", s[2]))
    best = scored[0] if scored and scored[0][0] > 0 else None
    if best is None:
        fallback = snap.teams.get("default") or (scored[0][3] if scored else None)
        if fallback is None:
            return {"team": None, "workflow": None, "score": 0, "reason": "no team is defined", "matches": {},
                    "alternatives": []}
        return {"team": fallback.name, "workflow": getattr(fallback.model, "default_workflow", None) or "default",
                "score": 0, "reason": f"nothing in the goal matches the triggers or useWhen of any team; "
                                      f"`{fallback.name}` is the general-purpose choice",
                "matches": {"triggers": [], "useWhen": [], "avoidWhen": []}, "alternatives": []}
    score, _, name, res, triggers, use, avoid = best
    parts = []
    if triggers:
        parts.append("triggers " + ", ".join(f"'{t}'" for t in triggers))
    if use:
        parts.append("useWhen words " + ", ".join(use))
    reason = f"`{name}` matches " + " and ".join(parts) if parts else f"`{name}` scores best"
    if avoid:
        reason += "; but avoidWhen mentions " + ", ".join(avoid)
    return {
        "team": name, "workflow": getattr(res.model, "default_workflow", None) or "default", "score": score,
        "reason": reason, "matches": {"triggers": triggers, "useWhen": use, "avoidWhen": avoid},
        "alternatives": [{"team": s[2], "score": s[0]} for s in scored[1:4] if s[0] > 0],
    }
