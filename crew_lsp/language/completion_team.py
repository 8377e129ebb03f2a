"""Completion in a team's body: role lines and their `agent=`, `model=`, `skills=`… metadata."""

from __future__ import annotations

import re

from crew_lsp.language.completion_context import KEY_CHARS, CompletionContext
from crew_lsp.language.info import ROLE_KEY_ORDER, ROLE_KEYS, agent_markdown, models_seen, skill_choices
from crew_lsp.language.locate import choice_escape, role_at_line
from crew_lsp.language.types import CompletionItem

_ROLE_VALUE = re.compile(r"\b(agent|maxConcurrency)\s*=\s*(\S*)\Z|\bmodel\s*=(\S*)\Z")
_ROLE_SKILLS = re.compile(r"\bskills\s*=\s*((?:[A-Za-z0-9_-]+\s*,\s*)*)([A-Za-z0-9_-]*)\Z")
_ROLE_WORD = re.compile(r"(?:(?<=\s)|(?<=:))([A-Za-z]*)\Z")
_ALPHA = re.compile(r"[A-Za-z]*")


class TeamBodyCompletion(CompletionContext):
    def team_body(self) -> list[CompletionItem]:
        text, idx, prefix = self.text, self.idx, self.prefix
        stripped = prefix.lstrip()
        colon = text.find(":")
        if not stripped.startswith("-") or colon < 0 or idx <= colon:
            if colon < 0 and (stripped in ("", "-") or stripped.startswith("-")):
                return self.role_line_start()
            return []
        role = role_at_line(self.res.model, self.line)  # type: ignore[arg-type]
        m = _ROLE_SKILLS.search(prefix, colon)
        if m is not None:
            a = m.start(2)
            b = KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            listed = {i.text for i in (role.skills or [])} if role else set()
            listed |= {s.strip() for s in m.group(1).split(",") if s.strip()}
            listed.discard(text[a:b])
            replace = self.span(a, b)
            items = [CompletionItem(n, "skill", detail, markdown, n, False, replace)
                     for n, detail, markdown in skill_choices(self.snap) if n not in listed]
            if not m.group(1):
                items.append(CompletionItem("false", "value", "no role-default skills", ROLE_KEYS["skills"], "false", False, replace))
            return items
        m = _ROLE_VALUE.search(prefix, colon)
        if m is not None:
            key = m.group(1) or "model"
            a = m.start(2) if m.group(1) else m.start(3)
            b = a
            while b < len(text) and not text[b].isspace():
                b += 1
            b = max(b, idx)
            replace = self.span(a, b)
            if key == "agent":
                agents = sorted(self.snap.agents.values(), key=lambda r: r.name)
                return [CompletionItem(r.name, "agent", f"({r.scope}) {r.model.description}", agent_markdown(r), r.name, False, replace)  # type: ignore[union-attr]
                        for r in agents]
            if key == "model":
                return [CompletionItem(mdl, "model", "seen in the workspace", "", mdl, False, replace) for mdl in models_seen(self.snap)]
            return []
        m = _ROLE_WORD.search(prefix, colon + 1)
        if m is None:
            return []
        a = m.start(1)
        b = _ALPHA.match(text, idx).end()  # type: ignore[union-attr]
        if b < len(text) and text[b] == "=":
            return []
        have = set(role.tokens) if role else set()
        replace = self.span(a, b)
        reading = self.snap.workspace.reading
        keys = [*ROLE_KEY_ORDER, *(("thinking",) if "thinking" in reading.role_line_keys else ()),
                *(("fallbackModels",) if reading.role_fallback_models else ())]
        return [CompletionItem(f"{k}=", "key", "role metadata", ROLE_KEYS[k], f"{k}=", False, replace, f"{i}")
                for i, k in enumerate(keys) if k not in have]

    def role_line_start(self) -> list[CompletionItem]:
        text, idx = self.text, self.idx
        a = len(text) - len(text.lstrip())
        replace = self.span(a, idx)
        agents = sorted(self.snap.agents.values(), key=lambda r: r.name)
        names = [r.name for r in agents] or ["agent"]
        if self.snippets:
            snippet = f"- ${{1:role}}: agent=${{2|{','.join(choice_escape(n) for n in names)}|}} ${{0:description}}"
            items = [CompletionItem("- role: agent=…", "snippet", "new role line", "A role line: `- <role>: agent=<agent> text`.", snippet, True, replace, "0")]
        else:
            items = [CompletionItem("- role: agent=…", "snippet", "new role line", "A role line: `- <role>: agent=<agent> text`.", "- role: agent=", False, replace, "0")]
        present = {r.name for r in self.res.model.roles if r.line != self.line}  # type: ignore[union-attr]
        for r in agents:
            if r.name in present:
                continue
            insert = f"- {r.name}: agent={r.name} "
            items.append(CompletionItem(r.name, "role", f"role played by agent {r.name} ({r.scope})", agent_markdown(r), insert, False, replace,
                                        f"1{r.name}"))
        return items
