"""Deterministic generator of a realistic pi-crew project, for the benchmarks.

``generate(root)`` writes ``root/.crew/{agents,teams,workflows}`` (the ``.crew`` folder also stops the
repo-root walk at ``root``), with a known share of files broken in varied ways, and a manifest
``root/.bench-manifest.json`` (outside every resource folder) listing what was broken where.

``big_workflow()`` returns the text of one long (~300 lines) valid workflow for the LSP edit benchmark;
``big_team()`` the team that runs it (without one the workflow only gets the CREW314 hint).

Shared by ``bench/check.py`` and ``bench/lsp.py``; depends only on the standard library so it can be
imported without the package.
"""

from __future__ import annotations

import json
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------------------------------------------------
# Vocabulary

BUILTIN_AGENTS = ("analyst", "critic", "executor", "explorer", "planner", "reviewer", "security-reviewer",
                  "test-engineer", "verifier", "writer")
BUILTIN_SKILLS = ("context-artifact-hygiene", "delegation-patterns", "handoff-report", "minimal-diff",
                  "multi-perspective-review", "ownership-session-security", "read-only-explorer",
                  "regression-test-design", "requirements-to-task-packet", "runtime-state-reader", "safe-bash",
                  "secure-agent-orchestration-review", "state-mutation-locking", "verification-before-done",
                  "verify-evidence")
TOOLS = ("read", "grep", "find", "ls", "bash", "edit", "write")
THINKING = ("off", "minimal", "low", "medium", "high", "xhigh")
MODELS = ("anthropic/claude-sonnet-4-5", "anthropic/claude-opus-4-1", "openai/gpt-5", "openai/gpt-5-mini",
          "google/gemini-2.5-pro", "openai/gpt-5:high", "anthropic/claude-haiku-4-5:low", "gpt-5-codex")

AREAS = ("api", "auth", "billing", "cache", "cli", "config", "data", "db", "deploy", "docs", "events", "frontend",
         "gateway", "i18n", "infra", "ingest", "jobs", "logging", "metrics", "mobile", "notify", "payments", "perf",
         "queue", "search", "security", "storage", "sync", "ui", "web")
FUNCTIONS = ("explorer", "planner", "implementer", "reviewer", "tester", "verifier", "writer", "analyst", "critic",
             "migrator", "profiler", "auditor", "triager", "refactorer", "designer", "debugger", "releaser",
             "documenter", "scout", "fixer", "operator")  # 30 areas x 21 = 630 names before numbering
PURPOSES = ("hotfix", "feature", "review", "audit", "research", "migration", "release", "cleanup", "triage", "spike",
            "tuning", "hardening", "docs", "onboarding", "upgrade", "rollout", "incident", "refactor", "testing",
            "design", "analysis", "backlog", "support", "launch")
ROLE_NAMES = ("explorer", "planner", "executor", "verifier", "reviewer", "analyst", "writer", "critic",
              "test-engineer", "security-reviewer", "implementer", "auditor", "migrator", "profiler", "triager",
              "documenter", "designer", "fixer")
STEP_IDS = ("explore", "scope", "plan", "design", "implement", "implement-api", "implement-ui", "migrate", "test",
            "review", "security-review", "document", "verify", "release-notes", "benchmark", "triage", "reproduce",
            "fix", "cleanup", "synthesize", "assess-risk", "profile")
CATEGORIES = ("discovery", "planning", "implementation", "quality", "security", "documentation", "operations")
COST = ("free", "cheap", "expensive")

_SENTENCES = (
    "Read the goal and the files the earlier steps produced before you change anything.",
    "Prefer the smallest change that fully solves the problem; leave unrelated code alone.",
    "Quote paths and line numbers for every claim so a reviewer can check it quickly.",
    "When the request is ambiguous, state the interpretation you chose and why.",
    "Run the focused tests first, then the project's standard test command if it is quick.",
    "Keep a short log of the commands you ran, their exit codes and the decisive output.",
    "Never commit, push or install anything unless the task says so explicitly.",
    "If something is broken outside your scope, report it instead of fixing it silently.",
    "Check error paths and edge cases, not only the happy path the author had in mind.",
    "Compare the result with every acceptance check and mark each as met or not met.",
    "Do not invent APIs: look up the real signature in the code before you call it.",
    "Summarise what changed, what was verified, and what is still open at the end.",
    "Respect the project's conventions for naming, formatting, logging and errors.",
    "Large files are expensive to read; search first and open only the relevant regions.",
    "Write findings so that someone who did not follow the run can act on them.",
    "Treat generated artifacts and shared files as inputs to verify, not as facts.",
    "Call out risky migrations, data loss scenarios and irreversible operations early.",
    "Ask for nothing interactive: every command must finish without a prompt.",
    "Keep secrets out of logs, reports and shared files, even in examples.",
    "If a check cannot run, say so plainly; an unverified claim is not a pass.",
)
_RULE_LINES = (
    "- Stay within the files the plan assigns to you.",
    "- Stop and report when the goal conflicts with the repository's constraints.",
    "- Prefer reading code over guessing from names.",
    "- Keep edits reviewable: one concern per change.",
    "- Record every assumption in the final report.",
    "- Use the shared files of earlier steps instead of redoing their work.",
)
_TASK_SENTENCES = (
    "Work only on the parts of the repository that this step owns.",
    "List the files you read and the ones you changed, with one line on each.",
    "Use the shared files of the earlier steps as your starting point.",
    "Note open questions for the next step rather than guessing.",
    "Keep the output short: findings first, details after.",
    "Check the result against the acceptance criteria of the plan.",
    "Flag anything risky with its location and a suggested fix.",
    "Prefer concrete commands and paths over general advice.",
    "Do not repeat work a previous step already reported as done.",
    "End with a short list of what remains to be done.",
)


def _words(text: str) -> str:
    return text.replace("-", " ")


def _typo(rng: random.Random, word: str, avoid: set[str] | frozenset[str] = frozenset()) -> str:
    """A close misspelling (swap, drop or double a letter) that is neither the word nor in ``avoid``."""
    for _ in range(50):
        chars = list(word)
        i = rng.randrange(1, max(2, len(chars) - 1))
        op = rng.randrange(3)
        if op == 0 and i + 1 < len(chars) and chars[i] != chars[i + 1] and chars[i] != "-" and chars[i + 1] != "-":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == 1 and len(chars) > 4 and chars[i] != "-":
            del chars[i]
        elif chars[i] != "-":
            chars.insert(i, chars[i])
        else:
            continue
        out = "".join(chars)
        if out != word and out not in avoid:
            return out
    return word + "x"


def _fm(pairs: list[tuple[str, str]]) -> str:
    return "---\n" + "".join(f"{k}: {v}\n" if v != "" else f"{k}:\n" for k, v in pairs) + "---\n"


def _replace(pairs: list[tuple[str, str]], key: str, new_key: str | None = None, new_value: str | None = None) -> bool:
    for i, (k, v) in enumerate(pairs):
        if k == key:
            pairs[i] = (new_key if new_key is not None else k, new_value if new_value is not None else v)
            return True
    return False


def _prose(rng: random.Random, n_lines: int, width: int = 96) -> list[str]:
    text = " ".join(rng.choice(_SENTENCES) for _ in range(n_lines * 2))
    return textwrap.wrap(text, width)[:n_lines]


# ---------------------------------------------------------------------------------------------------------
# Agents

AGENT_DEFECTS = ("quoted", "yaml-list", "unknown-key", "bad-bool", "skill-typo", "tool-typo", "thinking", "max-turns")
TEAM_DEFECTS = ("agent-typo", "workflow-typo", "dup-role", "prose-bullet", "bad-concurrency", "quoted")
WORKFLOW_DEFECTS = ("depends-typo", "cycle", "unknown-step-key", "bad-bool", "reads-missing", "placeholder",
                    "role-missing", "missing-comma", "unknown-key")


def agent_names(n: int) -> list[str]:
    names = [f"{a}-{f}" for f in FUNCTIONS for a in AREAS if f"{a}-{f}" not in BUILTIN_AGENTS]
    out = names[:n]
    k = 2
    while len(out) < n:
        out.extend(f"{x}-{k}" for x in names[: n - len(out)])
        k += 1
    return out


def _agent_text(rng: random.Random, name: str, defect: str | None) -> str:
    area, _, func = name.partition("-")
    func = func.split("-")[0]
    read_only = func in ("explorer", "reviewer", "verifier", "analyst", "critic", "auditor", "scout", "planner")
    tools = ["read", "grep", "find", "ls"] + (["bash"] if func != "planner" else []) + ([] if read_only else ["edit", "write"])
    skills = rng.sample(BUILTIN_SKILLS, rng.randint(1, 3))
    pairs: list[tuple[str, str]] = [
        ("name", name),
        ("description", f"{func.capitalize()} for the {area} area: {rng.choice(_SENTENCES)[:-1].lower()}"),
        ("model", rng.choice(MODELS + ("false", "false"))),
    ]
    if rng.random() < 0.3:
        pairs.append(("fallbackModels", ", ".join(rng.sample(MODELS[:5], 2))))
    if rng.random() < 0.4:
        pairs.append(("thinking", rng.choice(THINKING)))
    pairs += [
        ("tools", ", ".join(tools)),
        ("skills", ", ".join(skills)),
        ("systemPromptMode", rng.choice(("replace", "replace", "append"))),
        ("inheritProjectContext", rng.choice(("true", "false"))),
        ("inheritSkills", "false"),
    ]
    if rng.random() < 0.4:
        pairs.append(("maxTurns", str(rng.randint(4, 40))))
    pairs += [
        ("triggers", ", ".join([area, func, f"{area} {func}", rng.choice(PURPOSES)])),
        ("useWhen", f"work touches the {area} area, a {func} is needed"),
        ("avoidWhen", rng.choice(("the change is trivial", "no code exists yet", "the goal is unrelated to " + area))),
        ("cost", rng.choice(COST)),
        ("category", rng.choice(CATEGORIES)),
    ]
    extra = ""
    if defect == "quoted":
        _replace(pairs, "description", new_value=f'"{pairs[1][1]}"')
    elif defect == "yaml-list":
        _replace(pairs, "tools", new_value="")
        extra = "".join(f"  - {t}\n" for t in tools)
    elif defect == "unknown-key":
        key = rng.choice(("tools", "skills", "triggers", "category", "useWhen"))
        _replace(pairs, key, new_key=_typo(rng, key))
    elif defect == "bad-bool":
        _replace(pairs, "inheritProjectContext", new_value=rng.choice(("True", "yes", "1", "FALSE")))
    elif defect == "skill-typo":
        skills[0] = _typo(rng, skills[0], set(BUILTIN_SKILLS))
        _replace(pairs, "skills", new_value=", ".join(skills))
    elif defect == "tool-typo":
        i = rng.randrange(len(tools))
        tools[i] = _typo(rng, tools[i], set(TOOLS))
        _replace(pairs, "tools", new_value=", ".join(tools))
    elif defect == "thinking":
        pairs = [p for p in pairs if p[0] != "thinking"]
        pairs.insert(3, ("thinking", rng.choice(("hgih", "meduim", "max", "extreme"))))
    elif defect == "max-turns":
        pairs = [p for p in pairs if p[0] != "maxTurns"]
        pairs.insert(8, ("maxTurns", rng.choice(("abc", "0", "-3", "ten"))))
    fm = _fm(pairs)
    if extra:  # the block list goes right under `tools:`
        fm = fm.replace("tools:\n", "tools:\n" + extra, 1)
    n = rng.randint(15, 40)
    body = [f"You are the {func} of the {area} crew. {rng.choice(_SENTENCES)}"]
    body += _prose(rng, max(1, (n - 9) // 2))
    body += ["", "Rules:"] + rng.sample(_RULE_LINES, 3) + ["", "Report:"]
    body += [f"{i}. {s}" for i, s in enumerate(rng.sample(_SENTENCES, 3), 1)]
    body += _prose(rng, max(0, n - len(body)))
    return fm + "\n".join(body[:n]) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Teams and workflows (generated together: a workflow's roles come from the team that runs it)


@dataclass
class _Team:
    name: str
    workflow: str
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role, agent)


def team_names(n: int) -> list[str]:
    names = [f"{a}-{p}" for p in PURPOSES for a in AREAS]
    out = names[:n]
    k = 2
    while len(out) < n:
        out.extend(f"{x}-{k}" for x in names[: n - len(out)])
        k += 1
    return out


def _plan_team(rng: random.Random, name: str, workflow: str, agents: list[str]) -> _Team:
    team = _Team(name, workflow)
    for role in rng.sample(ROLE_NAMES, rng.randint(3, 6)):
        if role in BUILTIN_AGENTS and rng.random() < 0.5:
            agent = role
        elif rng.random() < 0.15:
            agent = rng.choice(BUILTIN_AGENTS)
        else:
            agent = rng.choice(agents)
        team.roles.append((role, agent))
    return team


def _team_text(rng: random.Random, team: _Team, known_agents: set[str], workflows: set[str], defect: str | None) -> str:
    area, _, purpose = team.name.partition("-")
    pairs: list[tuple[str, str]] = [
        ("name", team.name),
        ("description", f"{purpose.capitalize()} crew for the {area} area: {len(team.roles)} roles, run by {team.workflow}"),
        ("defaultWorkflow", team.workflow),
        ("workspaceMode", rng.choice(("single", "single", "worktree"))),
        ("maxConcurrency", str(rng.randint(1, 4))),
        ("triggers", ", ".join([area, purpose, f"{area} {purpose}"])),
    ]
    if rng.random() < 0.5:
        pairs.append(("useWhen", f"a {purpose} in the {area} area"))
    if rng.random() < 0.3:
        pairs.append(("avoidWhen", "the goal spans several unrelated areas"))
    lines = []
    for role, agent in team.roles:
        meta = f"agent={agent}"
        if rng.random() < 0.1:
            meta += f" model={rng.choice(MODELS)}"
        if rng.random() < 0.15:
            meta += " skills=" + ",".join(rng.sample(BUILTIN_SKILLS, rng.randint(1, 2)))
        if rng.random() < 0.05:
            meta += f" maxConcurrency={rng.randint(1, 3)}"
        lines.append(f"- {role}: {meta} {rng.choice(_TASK_SENTENCES)[:-1].lower()}")
    if defect == "agent-typo":
        i = rng.randrange(len(lines))
        role, agent = team.roles[i]
        bad = _typo(rng, agent, known_agents)
        lines[i] = lines[i].replace(f"agent={agent}", f"agent={bad}", 1)
    elif defect == "workflow-typo":
        _replace(pairs, "defaultWorkflow", new_value=_typo(rng, team.workflow, workflows))
    elif defect == "dup-role":
        lines.append(lines[rng.randrange(len(lines))])
    elif defect == "prose-bullet":
        lines.insert(rng.randrange(len(lines) + 1), f"- Note: this team is for {purpose} work in {area} only")
    elif defect == "bad-concurrency":
        _replace(pairs, "maxConcurrency", new_value=rng.choice(("0", "-2", "abc", "two")))
    elif defect == "quoted":
        _replace(pairs, "name", new_value=f'"{team.name}"')
    intro = f"The {purpose} crew for {area}: {rng.choice(_SENTENCES)}"
    return _fm(pairs) + intro + "\n\n" + "\n".join(lines) + "\n"


def _workflow_text(rng: random.Random, name: str, team: _Team, all_roles: set[str], defect: str | None) -> str:
    roles = [r for r, _ in team.roles]
    ids = rng.sample(STEP_IDS, rng.randint(4, 8))
    pairs = [("name", name), ("description", f"{len(ids)} steps for the {team.name} crew: {' then '.join(ids[:3])} and more")]
    if rng.random() < 0.3:
        pairs.append(("maxConcurrency", str(rng.randint(1, 4))))
    steps: list[list[str]] = []
    outputs: list[str] = []
    for k, sid in enumerate(ids):
        meta = [f"role: {rng.choice(roles)}"]
        if k > 0:
            deps = [ids[k - 1]] if rng.random() < 0.8 else []
            if k > 1 and rng.random() < 0.4:
                deps.append(rng.choice(ids[: k - 1]))
            if deps:
                meta.append("dependsOn: " + ", ".join(dict.fromkeys(deps)))
        if rng.random() < 0.2:
            meta.append(f"parallelGroup: {rng.choice(('analysis', 'build', 'checks'))}")
        r = rng.random()
        if r < 0.6:
            meta.append(f"output: {sid}.md")
        elif r < 0.7:
            meta.append("output: false")
        if outputs and rng.random() < 0.35:
            meta.append("reads: " + ", ".join(rng.sample(outputs, min(len(outputs), rng.randint(1, 2)))))
        if rng.random() < 0.08:
            meta.append(f"model: {rng.choice(MODELS)}")
        if rng.random() < 0.1:
            meta.append("skills: " + ", ".join(rng.sample(BUILTIN_SKILLS, 1)))
        if k == len(ids) - 1 and rng.random() < 0.5:
            meta.append("verify: true")
        if meta[-1] == f"output: {sid}.md" or any(m == f"output: {sid}.md" for m in meta):
            outputs.append(f"{sid}.md")
        task = [f"{_words(sid).capitalize()} for this goal: {{goal}}", ""]
        task += textwrap.wrap(" ".join(rng.sample(_TASK_SENTENCES, rng.randint(2, 6))), 96)
        steps.append([f"## {sid}"] + meta + [""] + task[: rng.randint(3, 10)])
    if defect == "depends-typo":
        k = rng.randrange(1, len(ids))
        bad = _typo(rng, ids[k - 1], set(ids))
        steps[k] = [ln for ln in steps[k] if not ln.startswith("dependsOn:")]
        steps[k].insert(2, f"dependsOn: {bad}")
    elif defect == "cycle":
        k = rng.randrange(1, len(ids))
        steps[k] = [ln for ln in steps[k] if not ln.startswith("dependsOn:")]
        steps[k].insert(2, f"dependsOn: {ids[k - 1]}")
        steps[k - 1] = [ln for ln in steps[k - 1] if not ln.startswith("dependsOn:")]
        steps[k - 1].insert(2, f"dependsOn: {ids[k]}")
    elif defect == "unknown-step-key":
        k = rng.randrange(len(ids))
        key = rng.choice(("ouput", "dependson", "parallelGroupp", "rols"))
        steps[k].insert(2, f"{key}: {ids[k]}.txt")
    elif defect == "bad-bool":
        k = rng.randrange(len(ids))
        steps[k] = [ln for ln in steps[k] if not ln.startswith("verify:")]
        steps[k].insert(2, f"verify: {rng.choice(('yes', 'True', '1', 'on'))}")
    elif defect == "reads-missing":
        k = rng.randrange(len(ids))
        steps[k] = [ln for ln in steps[k] if not ln.startswith("reads:")]
        steps[k].insert(2, f"reads: {rng.choice(('notes.md', 'summary.md', 'context.md'))}")
    elif defect == "placeholder":
        k = rng.randrange(len(ids))
        i = steps[k].index("")
        steps[k][i + 1] += f" (see {{{rng.choice(('goals', 'task', 'context', 'input'))}}})"
    elif defect == "role-missing":
        k = rng.randrange(len(ids))
        bad = _typo(rng, rng.choice(roles), all_roles | set(roles))
        steps[k][1] = f"role: {bad}"
    elif defect == "missing-comma":
        k = rng.randrange(2, len(ids))
        steps[k] = [ln for ln in steps[k] if not ln.startswith("dependsOn:")]
        steps[k].insert(2, f"dependsOn: {ids[k - 2]} {ids[k - 1]}")
    elif defect == "unknown-key":
        pairs.append(("maxConcurency", "2"))
    body = "\n\n".join("\n".join(s) for s in steps)
    return _fm(pairs) + "\n" + body + "\n"


# ---------------------------------------------------------------------------------------------------------
# Entry points


def split(size: int) -> tuple[int, int, int]:
    """(agents, teams, workflows) of a ``size``-file project: 30 % agents, 35 % teams, 35 % workflows
    (2,000 → 600/700/700, 10,000 → 3,000/3,500/3,500, 50,000 → 15,000/17,500/17,500)."""
    agents, teams = size * 3 // 10, size * 35 // 100
    return agents, teams, size - agents - teams


def generate(root: Path, agents: int = 600, teams: int = 700, workflows: int = 700, broken_ratio: float = 0.05,
             seed: int = 0, config: bool = False, size: int | None = None) -> Path:
    """Write a project of ``agents + teams + workflows`` files under ``root``; returns ``root``.

    ``size``: that many files instead, split as `split` says (the benchmarks use 2,000, 10,000 and 50,000).

    Every team runs its own generated workflow (``min(teams, workflows)`` pairs; extra workflows reuse
    teams' roles and are run by nobody). About ``broken_ratio`` of all files carry one defect each.
    ``config=True`` also writes a valid ``.crew/config.json`` (which makes the checker load pydantic).
    """
    if size is not None:
        agents, teams, workflows = split(size)
    rng = random.Random(seed)
    root = Path(root)
    crew = root / ".crew"
    for sub in ("agents", "teams", "workflows"):
        (crew / sub).mkdir(parents=True, exist_ok=True)
    a_names = agent_names(agents)
    t_names = team_names(teams)
    w_names = [f"{t}-flow" for t in team_names(workflows)]
    total = agents + teams + workflows
    n_broken = round(total * broken_ratio)
    broken = set(rng.sample(range(total), n_broken)) if n_broken else set()
    manifest: list[dict] = []

    def defect_for(index: int, choices: tuple[str, ...]) -> str | None:
        return choices[index % len(choices)] if index in broken else None

    known_agents = {a.lower() for a in a_names} | set(BUILTIN_AGENTS)
    planned = [_plan_team(rng, t, w_names[i % len(w_names)] if w_names else "default", a_names or list(BUILTIN_AGENTS))
               for i, t in enumerate(t_names)]
    all_roles = {r for t in planned for r, _ in t.roles}
    wf_set = set(w_names)

    def write(path: Path, text: str, defect: str | None) -> None:
        path.write_text(text, encoding="utf-8", newline="\n")
        if defect:
            manifest.append({"path": str(path), "defect": defect})

    for i, name in enumerate(a_names):
        d = defect_for(i, AGENT_DEFECTS)
        write(crew / "agents" / f"{name}.md", _agent_text(rng, name, d), d)
    for i, team in enumerate(planned):
        d = defect_for(agents + i, TEAM_DEFECTS)
        write(crew / "teams" / f"{team.name}.team.md", _team_text(rng, team, known_agents, wf_set, d), d)
    for i, name in enumerate(w_names):
        d = defect_for(agents + teams + i, WORKFLOW_DEFECTS)
        team = planned[i] if i < len(planned) else _Team("any", name, [(r, r) for r in BUILTIN_AGENTS])
        write(crew / "workflows" / f"{name}.workflow.md", _workflow_text(rng, name, team, all_roles, d), d)
    if config:
        (crew / "config.json").write_text(json.dumps({"limits": {"maxConcurrentWorkers": 4, "maxTaskDepth": 2},
                                                      "runtime": {"groupJoin": "smart"}}, indent=2) + "\n")
    (root / ".bench-manifest.json").write_text(json.dumps(
        {"seed": seed, "agents": agents, "teams": teams, "workflows": workflows, "broken": manifest}, indent=1) + "\n")
    return root


def big_workflow(name: str = "big", lines: int = 300, roles: tuple[str, ...] = BUILTIN_AGENTS, seed: int = 0) -> str:
    """A valid workflow of about ``lines`` lines: ~10-line steps chained by `dependsOn`, each with output/reads.

    Roles default to the builtin agent names, so the builtin `implementation` team (all ten roles)
    — or any team with these roles — can run it; with no team running it the checker only adds the
    CREW314 hint.
    """
    rng = random.Random(seed)
    out = ["---", f"name: {name}", f"description: A long generated workflow of about {lines} lines for edit benchmarks",
           "maxConcurrency: 3", "---", ""]
    k = 0
    prev: list[str] = []
    while len(out) < lines - 4:
        sid = f"step-{k + 1:03d}"
        out.append(f"## {sid}")
        out.append(f"role: {roles[k % len(roles)]}")
        if prev:
            deps = [prev[-1]] + ([rng.choice(prev[:-1])] if len(prev) > 1 and rng.random() < 0.3 else [])
            out.append("dependsOn: " + ", ".join(dict.fromkeys(deps)))
            out.append(f"reads: {prev[-1]}.md")
        out.append(f"output: {sid}.md")
        out.append("")
        out.append(f"Carry out part {k + 1} of the plan for this goal: {{goal}}")
        out.extend(textwrap.wrap(" ".join(rng.sample(_TASK_SENTENCES, 3)), 96)[:3])
        out.append("")
        prev.append(sid)
        k += 1
    while len(out) < lines:
        out.append(rng.choice(_TASK_SENTENCES))
    return "\n".join(out[:lines]) + "\n"


def big_team(name: str = "big", workflow: str = "big", roles: tuple[str, ...] = BUILTIN_AGENTS) -> str:
    """A team that runs ``big_workflow(name=workflow, roles=roles)``, so that workflow checks clean."""
    lines = "".join(f"- {r}: agent={r} handles the {r} steps\n" for r in roles)
    return _fm([("name", name), ("description", f"Runs the long `{workflow}` workflow"), ("defaultWorkflow", workflow)]) + "\n" + lines


if __name__ == "__main__":  # python bench/workspace.py DIR [SIZE | AGENTS TEAMS WORKFLOWS]
    import sys

    args = sys.argv[1:]
    if not args:
        print("usage: workspace.py DIR [SIZE | AGENTS TEAMS WORKFLOWS]", file=sys.stderr)
        raise SystemExit(2)
    counts = [int(a) for a in args[1:4]]
    print(generate(Path(args[0]), size=counts[0]) if len(counts) == 1 else generate(Path(args[0]), *counts))
