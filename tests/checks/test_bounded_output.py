"""Hostile sizes cost bounded output: short name lists, a capped number of diagnostics per file."""

from __future__ import annotations

from checkutil import check, write_tree

from crew_lsp.checks.diagnostic import MAX_PER_FILE, Diagnostic, finish
from crew_lsp.checks.codes import Severity
from crew_lsp.resources.names import cycle_path, list_names
from crew_lsp.resources.text import Span

FM = "---\nname: {name}\ndescription: d\n{extra}---\n"


def _ring(n: int) -> str:
    return FM.format(name="ring", extra="") + "".join(
        f"## s{i}\nrole: executor\ndependsOn: s{(i + 1) % n}\n\nDo {{goal}}.\n\n" for i in range(n))


def test_names_are_listed_up_to_eight_then_counted():
    assert list_names(["a", "b"]) == "`a`, `b`"
    assert list_names([]) == "none"
    assert list_names([f"r{i}" for i in range(20_000)]) == "`r0`, `r1`, `r2`, `r3`, `r4`, `r5`, `r6`, `r7` and 19,992 more"
    assert list_names(["x"], quote="'") == "'x'"


def test_a_long_cycle_path_is_shortened():
    assert cycle_path(["a", "b"]) == "a -> b -> a"
    assert cycle_path([f"s{i}" for i in range(5000)]) == "s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> s6 -> s7 -> … (4,992 more) -> s0"


def test_a_5000_step_cycle_is_reported_with_short_messages_and_at_most_1000_diagnostics(tmp_path):
    root = write_tree(tmp_path, {".crew/workflows/ring.workflow.md": _ring(5000),
                                 ".crew/teams/t.team.md": FM.format(name="t", extra="defaultWorkflow: ring\n") + "- executor: agent=executor x\n"})
    found = [f for f in check(root) if f.path == ".crew/workflows/ring.workflow.md"]
    cycles = [f for f in found if f.code == "CREW303"]
    assert len(cycles) == MAX_PER_FILE
    assert all("(4,992 more)" in f.message and len(f.message) < 300 for f in cycles)
    more = [f for f in found if f.code == "CREW001"]
    assert len(more) == 1 and more[0].severity == "error"
    assert "4,000 more problems in this file are not shown" in more[0].message


def test_20000_roles_and_500_missing_step_roles_give_short_messages(tmp_path):
    roles = "".join(f"- role{i}: agent=executor\n" for i in range(20_000))
    steps = "".join(f"## s{i}\nrole: missing{i}\n\nDo {{goal}}.\n\n" for i in range(500))
    root = write_tree(tmp_path, {
        ".crew/agents/executor.md": FM.format(name="executor", extra="") + "You execute.\n",
        ".crew/teams/big.team.md": FM.format(name="big", extra="defaultWorkflow: big\n") + roles,
        ".crew/workflows/big.workflow.md": FM.format(name="big", extra="") + steps,
    })
    found = check(root)
    missing = [f for f in found if f.code == "CREW301" and f.path.endswith("big.workflow.md")]
    assert len(missing) == 500
    assert all(len(f.message) < 500 and "and 19,992 more" in f.message for f in missing)
    assert all(len(repr(f.diag.data)) < 1000 for f in missing)
    assert sum(len(f.message) for f in found) < 1_000_000


def _diag(line: int, severity: Severity, code: str = "CREW305") -> Diagnostic:
    return Diagnostic(code, severity, Span(line, 0, line, 1), f"problem on line {line}")


def test_the_cap_keeps_the_most_severe_and_says_how_many_are_hidden():
    diags = [_diag(i, Severity.WARNING) for i in range(1500)] + [_diag(2000, Severity.ERROR, "CREW302")]
    out = finish(diags, "")
    assert len(out) == MAX_PER_FILE + 1
    assert any(d.code == "CREW302" for d in out)  # the error at the end of the file is kept
    summary = [d for d in out if d.code == "CREW001"]
    assert len(summary) == 1 and summary[0].severity == Severity.WARNING  # the most severe it hides
    assert summary[0].message.startswith("501 more problems in this file are not shown")
    assert out == sorted(out, key=Diagnostic.sort_key)


def test_the_cap_follows_severity_settings():
    diags = [_diag(i, Severity.WARNING) for i in range(1200)]
    assert len(finish(diags, "", {"CREW305": "off"})) == 0
    assert all(d.code != "CREW001" for d in finish(diags, "", {"CREW001": "off"}))
    assert len(finish(diags[:MAX_PER_FILE], "")) == MAX_PER_FILE
