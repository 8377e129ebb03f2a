"""`crew-lsp check` on several processes reports exactly what the one-process check reports.

The parallel check (crew_lsp/checks/parallel.py) deals a folder's files out to forked workers; each
process parses its share and sees the others' files as stubs built from summaries. Whatever a check
reads of another file, the diagnostics (codes, ranges, messages, quick fixes, related spans) must be
the same as the serial path's, and a worker that dies must never leave a partial result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.workspace import generate
from crew_lsp.checks import parallel, processes
from crew_lsp.checks.parallel import check_folder
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.loader import Loader
from crew_lsp.resources.model import Resource
from crew_lsp.resources.summary import StubResource, StubSource, summarize

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the parallel check forks")

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "checks" / "golden"
WORKSPACE_CONTENT = {".crew", ".pi", "skills", "home", "AGENTS.md"}


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def mixed_workspace(tmp_path, monkeypatch) -> Path:
    """A generated project with many defects, plus what crosses files and scopes: user agents and a
    team shadowing project ones, case clashes, same-name twins, disabled agents (in the file and by a
    user config), a binary and an oversized file, a skill, AGENTS.md, teams missing a workflow's roles
    (of their own scope, and of the user's)."""
    root = generate(tmp_path / "ws", agents=60, teams=70, workflows=70, broken_ratio=0.3, seed=7, config=True)
    home = tmp_path / "home"
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    agents = sorted((root / ".crew" / "agents").iterdir())
    first = agents[0].name.removesuffix(".md")
    _write(home / ".pi" / "agent", {
        f"agents/{first}.md": f"---\nname: {first}\ndescription: the user's own\n---\nA user agent that wins.\n",
        "agents/Reviewer.md": "---\nname: Reviewer\ndescription: case clash\n---\nReview.\n",
        "agents/sleepy.md": "---\nname: sleepy\ndescription: off\ndisabled: true\n---\nSleep.\n",
        "agents/switched.md": "---\nname: switched\ndescription: off by config\n---\nWork.\n",
        "workflows/elsewhere.workflow.md": "---\nname: elsewhere\ndescription: the user's\n---\n## one\nrole: a\n\nDo {goal}.\n\n"
                                          "## two\nrole: scout\n\nDo {goal}.\n",
        "pi-crew.json": '{"agents": {"overrides": {"switched": {"disabled": true}, "nobody": {"disabled": true}}}}\n',
    })
    _write(root, {
        ".crew/agents/reviewer.md": "---\nname: reviewer\ndescription: project\n---\nReview.\n",
        ".crew/agents/twin-a.md": "---\nname: twin\ndescription: one\n---\nOne.\n",
        ".crew/agents/twin-b.md": "---\nname: twin\ndescription: two\n---\nTwo.\n",
        ".crew/teams/borrower.team.md": "---\nname: borrower\ndescription: runs the user's workflow\ndefaultWorkflow: elsewhere\n"
                                        "---\n## Roles\n- a: agent=reviewer\n",
        ".crew/agents/binary.md": b"---\nname: binary\n---\n\x00\x01\x02",
        ".crew/agents/huge.md": "---\nname: huge\ndescription: big\n---\n" + "x" * 3_000_000,
        ".crew/teams/sleepers.team.md": "---\nname: sleepers\ndescription: uses disabled agents\ndefaultWorkflow: shared\n---\n"
                                        "## Roles\n- a: agent=sleepy\n- b: agent=switched\n- c: agent=Reviewer\n",
        ".crew/teams/thin.team.md": "---\nname: thin\ndescription: lacks roles\ndefaultWorkflow: shared\n---\n## Roles\n- a: agent=twin\n",
        ".crew/workflows/shared.workflow.md": "---\nname: shared\ndescription: many roles\n---\n## one\nrole: a\n\nDo {goal}.\n\n"
                                              "## two\nrole: b\ndependsOn: one\n\nDo {goal}.\n\n## three\nrole: zed\n\nDo {gaol}.\n",
        ".crew/workflows/orphan.workflow.md": "---\nname: orphan\ndescription: run by nobody\n---\n## x\nrole: a\n\nDo {goal}.\n",
        "skills/helper/SKILL.md": "---\nname: helper\ndescription: helps\n---\nHelp.\n",
        "AGENTS.md": "# Repo\n<!-- PI-CREW:START id=x -->\ntext\n",
        ".crew/config.json": '{"limits": {"maxConcurrentWorkers": "four"}, "bogus": 1}\n',
    })
    return root


def _both(root: Path, jobs: int = 3) -> tuple[parallel.Checked, parallel.Checked]:
    serial = check_folder(Workspace.discover(root), jobs=1)
    shared = check_folder(Workspace.discover(root), jobs=jobs, min_files=0)
    return serial, shared


def test_parallel_check_reports_exactly_what_the_serial_check_reports(mixed_workspace):
    serial, shared = _both(mixed_workspace)
    assert (shared.workers, shared.recovered) == (2, 0)
    assert serial.workers == 0
    codes = {d.code for ds in serial.found.values() for d in ds}
    assert {"CREW207", "CREW407", "CREW408", "CREW409", "CREW301"} <= codes  # the cross-file rules ran
    assert any(c.startswith("CREW50") for c in codes)  # and the config's (checked by a worker)
    borrower = str(mixed_workspace / ".crew" / "teams" / "borrower.team.md")
    assert "CREW301" in [d.code for d in serial.found[borrower]]  # (read from another file's steps)
    assert list(shared.found) and sorted(shared.found) == sorted(serial.found)
    for path, diags in serial.found.items():
        assert shared.found[path] == diags, path  # fixes, data and related spans included


def test_parallel_and_serial_snapshots_fold_the_same_winners(mixed_workspace):
    serial, shared = _both(mixed_workspace)
    for table in ("agents", "disabled_agents", "teams", "workflows", "skills", "losers"):
        assert {k: r.path for k, r in getattr(shared.snapshot, table).items()} == \
               {k: r.path for k, r in getattr(serial.snapshot, table).items()}, table
    assert list(shared.snapshot.resources) == list(serial.snapshot.resources)  # scan order, as the serial build
    assert shared.snapshot.problems == serial.snapshot.problems


def _fixtures() -> list[Path]:
    out = []
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        if {p.name for p in folder.iterdir()} & WORKSPACE_CONTENT:
            out.append(folder)
        else:
            out += sorted(sub for sub in folder.iterdir() if sub.is_dir())
    return out


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden_fixture_reports_the_same_on_several_processes(fixture, tmp_path, monkeypatch):
    root = tmp_path / "ws"
    shutil.copytree(fixture, root)
    (root / ".crew").mkdir(exist_ok=True)  # (stops the repository walk at the fixture, as the golden test does)
    if (root / "home").is_dir():
        monkeypatch.setenv("PI_TEAMS_HOME", str(root / "home"))
    serial, shared = _both(root)
    assert shared.recovered == 0
    assert shared.found == serial.found


def _dies_in_a_worker(real, parent: int):
    """``real``, except that in a forked worker it ends the process at once, as a crash would."""
    def call(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(70)
        return real(*args, **kwargs)
    return call


def test_worker_that_dies_before_sending_its_summary_has_its_share_checked_here(mixed_workspace, monkeypatch):
    serial = check_folder(Workspace.discover(mixed_workspace), jobs=1)
    monkeypatch.setattr(parallel, "read_entries", _dies_in_a_worker(parallel.read_entries, os.getpid()))
    shared = check_folder(Workspace.discover(mixed_workspace), jobs=3, min_files=0)
    assert (shared.workers, shared.recovered) == (2, 2)
    assert shared.found == serial.found


def test_worker_that_dies_while_checking_has_its_share_checked_here(mixed_workspace, monkeypatch):
    serial = check_folder(Workspace.discover(mixed_workspace), jobs=1)
    monkeypatch.setattr(parallel, "check_resource", _dies_in_a_worker(parallel.check_resource, os.getpid()))
    shared = check_folder(Workspace.discover(mixed_workspace), jobs=2, min_files=0)
    assert (shared.workers, shared.recovered) == (1, 1)
    assert shared.found == serial.found


def test_small_folder_is_checked_in_one_process(mixed_workspace):
    assert check_folder(Workspace.discover(mixed_workspace), jobs=4).workers == 0  # fewer files than MIN_FILES


def _stubs(root: Path, *rels: str) -> list[tuple[StubResource, object]]:
    """Stubs of some files of a folder (built from their summaries), each with the file as parsed."""
    ws = Workspace.discover(root)
    snap = Index.load(ws).snapshot
    source = StubSource(ws, Loader(ws.boundaries()))
    parsed = [snap.resources[str(p if p.is_absolute() else root / p)] for p in map(Path, rels)]
    return [(StubResource(summarize(0, r), (r.kind, r.scope, r.path), source), r) for r in parsed]


def test_stub_answers_what_the_fold_and_other_files_checks_read_without_reading_its_file(mixed_workspace, tmp_path):
    (team, _), (agent, _), (flow, _) = _stubs(mixed_workspace, ".crew/teams/sleepers.team.md",
                                              tmp_path / "home" / ".pi" / "agent" / "agents" / "sleepy.md",
                                              ".crew/workflows/shared.workflow.md")
    assert (team.name, team.team_workflow, team.default_workflow, team.role_names) == ("sleepers", "shared", "shared", ("a", "b", "c"))
    assert (team.model.workflow, [r.name for r in team.model.roles]) == ("shared", ["a", "b", "c"])
    assert (agent.name, agent.disabled, team.disabled, flow.disabled) == ("sleepy", True, False, False)
    assert flow.name == "shared"
    assert [s._parsed for s in (team, agent, flow)] == [None, None, None]
    assert [s._text for s in (team, agent, flow)] == [None, None, None]


def test_stub_answers_every_property_of_a_resource_as_its_parsed_file_does(mixed_workspace, tmp_path):
    properties = [name for name, value in vars(Resource).items() if isinstance(value, property) and name not in ("doc", "model")]
    files = (".crew/teams/sleepers.team.md", ".crew/workflows/shared.workflow.md", ".crew/agents/twin-a.md",
             "skills/helper/SKILL.md", "AGENTS.md", tmp_path / "home" / ".pi" / "agent" / "agents" / "sleepy.md")
    for name in properties:
        for stub, parsed in _stubs(mixed_workspace, *files):  # (fresh stubs: each answers before any parse)
            try:
                expected = getattr(parsed, name)
            except (AttributeError, TypeError):  # (a team's property on an agent, say)
                continue
            assert getattr(stub, name) == expected, (parsed.path, name)
    for stub, parsed in _stubs(mixed_workspace, *files):
        assert stub.doc == parsed.doc
        if parsed.kind != "team":
            assert stub.model == parsed.model


def test_stub_answers_beyond_its_summary_from_the_file(mixed_workspace):
    (team_stub, team), (flow_stub, flow) = _stubs(mixed_workspace, ".crew/teams/sleepers.team.md", ".crew/workflows/shared.workflow.md")
    assert [s.role for s in flow_stub.model.steps] == ["a", "b", "zed"]
    assert (team_stub.facts, flow_stub.facts) == (team.facts, flow.facts)
    assert (team_stub.role_agents, team_stub.skill_names) == (team.role_agents, team.skill_names)
    assert team_stub.model.roles[2].name_span == team.model.roles[2].name_span
    assert flow_stub.model.steps[1].deps == flow.model.steps[1].deps
    assert team_stub.doc.frontmatter.fields["name"].value_span == team.doc.frontmatter.fields["name"].value_span
    assert team_stub.text == team.text and team_stub.declared_name


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crew_lsp", "check", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env}, cwd=REPO)


def test_cli_output_is_the_same_with_one_process_and_with_several(tmp_path):
    root = generate(tmp_path / "ws", agents=400, teams=350, workflows=350, broken_ratio=0.1, seed=3)
    env = {"PI_TEAMS_HOME": str(tmp_path / "home")}
    one = _cli("--format", "json", str(root), env={**env, "CREW_LSP_JOBS": "1"})
    two = _cli("--format", "json", str(root), env={**env, "CREW_LSP_JOBS": "2"})
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stdout.count('"code"') > 50


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_worker_count_that_is_not_a_positive_number_is_refused(tmp_path, value):
    done = _cli(str(tmp_path), env={"CREW_LSP_JOBS": value})
    assert done.returncode == 2
    assert f"CREW_LSP_JOBS: expected a whole number of processes from 1 up, got '{value}'" in done.stderr


def test_jobs_option_that_is_not_a_positive_number_is_refused(tmp_path):
    done = _cli("--jobs", "0", str(tmp_path), env={})
    assert done.returncode == 2
    assert "argument --jobs: expected a whole number of processes from 1 up, got '0'" in done.stderr


def test_check_called_in_process_returns_its_status_and_keeps_the_process(mixed_workspace, capsys):
    from crew_lsp.cli import main

    assert main(["check", "--format", "json", "--jobs", "2", str(mixed_workspace)]) == 1  # (os._exit would end pytest here)
    assert capsys.readouterr().out.count('"code"') > 20


def test_finished_workers_are_reaped_by_the_next_check_or_at_exit(mixed_workspace):
    check_folder(Workspace.discover(mixed_workspace), jobs=3, min_files=0)
    processes.reap_exited()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, not even a zombie


def test_facts_rows_are_those_of_each_parse_on_one_process_and_on_several(mixed_workspace, monkeypatch):
    from crew_lsp.resources.facts import to_row

    ws = Workspace.discover(mixed_workspace)
    snap = Index.load(ws).snapshot
    parsed = snap.resources
    entries = [(r.kind, r.scope, r.path) for r in parsed.values()]
    want = [to_row(r.file_name, r.name, r.facts) if r.kind in ("agent", "team", "workflow", "skill") and r.path not in snap.problems
            else None for r in parsed.values()]
    assert any(row and row[6] for row in want)  # (teams' roles)
    # (the config files and AGENTS.md are kept whole, and a file not read is read again by the server, to know why)
    assert {r.path for r, row in zip(parsed.values(), want) if row is None} == \
        {r.path for r in parsed.values() if r.kind in ("config", "guidance")} | set(snap.problems) != set()
    sent: list = []
    serial = check_folder(ws, jobs=1, facts=sent.append)
    check_folder(Workspace.discover(mixed_workspace), jobs=3, min_files=0, facts=sent.append)
    monkeypatch.setattr(parallel, "check_resource", _dies_in_a_worker(parallel.check_resource, os.getpid()))
    recovered = check_folder(Workspace.discover(mixed_workspace), jobs=2, min_files=0, facts=sent.append)
    assert recovered.recovered == 1
    assert [e[2] for e in entries] == list(serial.snapshot.resources)  # (rows are by place in the scan)
    assert sent == [want, want, want]


def test_worker_that_dies_while_building_its_facts_rows_has_its_share_parsed_and_checked_here(mixed_workspace, monkeypatch):
    ws = Workspace.discover(mixed_workspace)
    want: list = []
    serial = check_folder(ws, jobs=1, facts=want.append)
    monkeypatch.setattr(parallel, "to_row", _dies_in_a_worker(parallel.to_row, os.getpid()))
    sent: list = []
    shared = check_folder(Workspace.discover(mixed_workspace), jobs=2, min_files=0, facts=sent.append)
    assert (shared.workers, shared.recovered) == (1, 1)
    assert sent == want and shared.found == serial.found


def test_facts_are_handed_on_before_any_file_is_checked(mixed_workspace, monkeypatch):
    events: list[str] = []
    real = parallel._check
    monkeypatch.setattr(parallel, "_check", lambda snap, paths: events.append("checked") or real(snap, paths))
    for jobs in (1, 2):
        events.clear()
        check_folder(Workspace.discover(mixed_workspace), jobs=jobs, min_files=0, facts=lambda rows: events.append("facts"))
        assert events[0] == "facts" and "checked" in events, jobs


def test_every_file_but_the_config_files_is_in_one_chunk_and_each_chunk_is_taken_once(mixed_workspace):
    entries = parallel.scan(Workspace.discover(mixed_workspace))
    configs, chunks = parallel._chunks(entries)
    assert [entries[n][0] for n in configs] == ["config"] * len(configs) and configs  # (every process parses these)
    assert sorted(configs + [n for chunk in chunks for n in chunk]) == list(range(len(entries)))
    assert max(map(len, chunks)) == parallel.CHUNK_FILES
    deal = processes.deal(len(chunks))
    try:
        taken = list(iter(lambda: processes.claim(deal), None))
    finally:
        os.close(deal)
    assert taken == list(range(len(chunks)))


def test_a_huge_folder_is_cut_into_no_more_chunks_than_a_pipe_holds_at_once():
    entries = [("agent", "project", f"/ws/.crew/agents/a{n}.md") for n in range(200_000)]
    _configs, chunks = parallel._chunks(entries)
    assert len(chunks) <= parallel.MAX_CHUNKS and sum(map(len, chunks)) == len(entries)
