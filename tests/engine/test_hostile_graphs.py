"""Graphs and JSON of any size or depth: the engine answers with its usual errors, never RecursionError."""

from __future__ import annotations

import json

import pytest
from engine_helpers import steps

from crew_lsp.engine.adaptive import AdaptivePlanError, plan_from_output
from crew_lsp.engine.config import EngineConfig, load_config
from crew_lsp.engine.events import read_events
from crew_lsp.engine.model import TaskState
from crew_lsp.engine.plan import build_plan, load_snapshot, waves
from crew_lsp.engine.validate import PlanError, StepFacts, find_cycles
from crew_lsp.engine.workers import Hooks
from crew_lsp.engine.workers.pi import PiStream
from crew_lsp.resources.discovery import Workspace as Ws

LONG = 5_000


def _ring(n: int) -> str:
    """A workflow body whose n steps form one cycle: s0 -> s1 -> … -> s(n-1) -> s0."""
    return steps(*[(f"s{i}", "executor", f"s{(i + 1) % n}", "Do {goal}.") for i in range(n)])


def test_a_5000_step_dependency_cycle_is_refused_as_a_cycle(ws):
    ws.team("t", ["executor"], workflow="ring")
    ws.workflow("ring", _ring(LONG))
    with pytest.raises(PlanError) as err:
        build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="t")
    cycles = [i for i in err.value.issues if i.code == "CREW303"]
    assert cycles
    # the path is shortened, not 5,000 names long in each of the messages
    assert all(len(i.message) < 500 for i in cycles)
    assert "more" in cycles[0].message


def test_find_cycles_walks_a_long_cycle_without_recursion():
    facts = [StepFacts(f"s{i}", "r", [f"s{(i + 1) % LONG}"], None, [], f"{i + 1:02d}-s{i}") for i in range(LONG)]
    found = find_cycles(facts)
    assert len(found) == 1
    assert len(found[0]) == LONG + 1 and found[0][0] == found[0][-1]


def test_find_cycles_reports_each_cycle_once():
    def fact(sid: str, deps: list[str]) -> StepFacts:
        return StepFacts(sid, "r", deps, None, [], sid)

    found = find_cycles([fact("a", ["b"]), fact("b", ["a", "c"]), fact("c", ["c"]), fact("d", ["a"])])
    assert sorted(found) == [["a", "b", "a"], ["c", "c"]]


def test_waves_of_a_5000_step_chain():
    tasks = [TaskState(id=f"t{i}", step_id=f"t{i}", role="r", agent="r", depends_on=[f"t{i - 1}"] if i else [])
             for i in range(LONG)]
    out = waves(tasks[::-1])  # the last task first: its depth needs the whole chain below it
    assert len(out) == LONG and out[0] == ["t0"] and out[-1] == [f"t{LONG - 1}"]


def test_waves_leave_out_cycles_and_what_depends_on_them():
    def task(tid: str, deps: list[str]) -> TaskState:
        return TaskState(id=tid, step_id=tid, role="r", agent="r", depends_on=deps)

    out = waves([task("a", []), task("b", ["c"]), task("c", ["b"]), task("d", ["b"]), task("e", ["a", "zzz"])])
    assert out == [["a"], ["e"]]


def test_a_config_nested_100000_deep_is_ignored_like_invalid_json(ws):
    (ws.crew / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    cfg = load_config(Ws.discover(ws.root))
    assert cfg.max_concurrent_workers is None  # contributes nothing, as invalid JSON does


def test_an_adaptive_plan_nested_100000_deep_is_an_adaptive_plan_error():
    output = "ADAPTIVE_PLAN_JSON_START\n" + "[" * 100_000 + "\nADAPTIVE_PLAN_JSON_END"
    with pytest.raises(AdaptivePlanError):
        plan_from_output(output, {"executor"})


def test_an_event_line_nested_100000_deep_is_skipped_like_a_torn_line(tmp_path):
    path = tmp_path / "events.jsonl"
    good = json.dumps({"time": "2026-01-01T00:00:00Z", "type": "run.created", "runId": "r", "metadata": {"seq": 1}})
    path.write_text(good + "\n" + "[" * 100_000 + "\n")
    assert [e.seq for e in read_events(path)] == [1]


def test_a_worker_line_nested_100000_deep_is_logged_as_text():
    logged: list[str] = []
    stream = PiStream(Hooks(log=logged.append))
    stream.feed(b"[" * 100_000 + b"]" * 100_000)
    assert len(logged) == 1 and stream.final is None
