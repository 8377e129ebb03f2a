"""The JSONL sink: day files, retention, failures that never raise, redaction; the composite exporter (docs/telemetry.md)."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crew_lsp.telemetry.exporters import CompositeExporter, JsonlSink, export_periodically, read_jsonl
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import snapshot


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_export_appends_exported_at_and_the_snapshot_to_the_utc_day_file(tmp_path):
    metrics = CrewMetrics()
    metrics.task_ended("completed", "executor", 1.0)
    sink = JsonlSink(metrics, tmp_path, clock=lambda: at("2030-05-06T07:08:09.250"))
    sink.export_now()
    sink.export_now()
    records = lines(tmp_path / "state" / "metrics" / "2030-05-06.jsonl")
    assert [r["exportedAt"] for r in records] == ["2030-05-06T07:08:09.250Z"] * 2
    assert records[0]["metrics"] == snapshot(metrics.registry)


def test_a_new_utc_day_starts_a_new_file(tmp_path):
    now = [at("2030-05-06T23:59:59")]
    sink = JsonlSink(CrewMetrics(), tmp_path, clock=lambda: now[0])
    sink.export_now()
    now[0] += 2
    sink.export_now()
    folder = tmp_path / "state" / "metrics"
    assert sorted(p.name for p in folder.iterdir()) == ["2030-05-06.jsonl", "2030-05-07.jsonl"]
    assert lines(folder / "2030-05-07.jsonl")[0]["exportedAt"] == "2030-05-07T00:00:01.000Z"


def test_day_files_older_than_the_retention_are_removed_and_nothing_else(tmp_path):
    folder = tmp_path / "state" / "metrics"
    folder.mkdir(parents=True)
    for name in ("2030-04-28.jsonl", "2030-04-29.jsonl", "2030-04-30.jsonl", "2030-05-05.jsonl", "notes.txt", "2030-01-01.json"):
        (folder / name).write_text("{}\n")
    JsonlSink(CrewMetrics(), tmp_path, retention_days=7, clock=lambda: at("2030-05-07T12:00:00")).export_now()
    # 7 days before 2030-05-07 is 2030-04-30: kept; older day files go
    assert sorted(p.name for p in folder.iterdir()) == [
        "2030-01-01.json", "2030-04-30.jsonl", "2030-05-05.jsonl", "2030-05-07.jsonl", "notes.txt"]


def test_an_unwritable_folder_logs_one_warning_and_never_raises_until_it_works_again(tmp_path, caplog):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "metrics").write_text("a file where the folder should be")
    sink = JsonlSink(CrewMetrics(), tmp_path)
    with caplog.at_level(logging.WARNING, logger="crew_lsp.telemetry"):
        sink.export_now()
        sink.export_now()
        assert len(caplog.records) == 1 and "could not write metrics" in caplog.records[0].getMessage()
        (tmp_path / "state" / "metrics").unlink()
        sink.export_now()  # works again: the next failure is worth a new warning
        assert len(list((tmp_path / "state" / "metrics").iterdir())) == 1
        os.rename(tmp_path / "state" / "metrics", tmp_path / "state" / "gone")
        (tmp_path / "state" / "metrics").write_text("broken again")
        assert sink.append({"exportedAt": "x", "metrics": []}) is False
    assert len(caplog.records) == 2


def test_a_symlink_planted_at_the_day_file_is_not_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched\n")
    crew = tmp_path / "crew"
    folder = crew / "state" / "metrics"
    folder.mkdir(parents=True)
    now = at("2030-05-06T10:00:00")
    (folder / "2030-05-06.jsonl").symlink_to(outside)
    assert JsonlSink(CrewMetrics(), crew, clock=lambda: now).append({"metrics": []}) is False
    assert outside.read_text() == "untouched\n"


def test_a_metrics_folder_linked_out_of_the_crew_root_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    crew = tmp_path / "crew"
    (crew / "state").mkdir(parents=True)
    (crew / "state" / "metrics").symlink_to(elsewhere, target_is_directory=True)
    assert JsonlSink(CrewMetrics(), crew).append({"metrics": []}) is False
    assert list(elsewhere.iterdir()) == []


def test_past_records_are_read_back_from_a_day_on_skipping_torn_lines(tmp_path):
    now = [at("2030-05-01T10:00:00")]
    sink = JsonlSink(CrewMetrics(), tmp_path, clock=lambda: now[0])
    for day in range(3):
        now[0] = at(f"2030-05-0{day + 1}T10:00:00")
        sink.export_now()
    with (sink.folder / "2030-05-03.jsonl").open("a") as f:
        f.write('{"exportedAt": "torn", "metr')
    records = read_jsonl(sink.folder, since=at("2030-05-02T00:00:00"))
    assert [r["exportedAt"][:10] for r in records] == ["2030-05-02", "2030-05-03"]
    assert read_jsonl(tmp_path / "missing") == []


class Broken:
    name = "broken"

    def export_now(self) -> None:
        raise RuntimeError("collector exploded")

    def close(self) -> None:
        raise RuntimeError("cannot close either")


def test_a_failing_exporter_does_not_keep_the_others_from_exporting(tmp_path, caplog):
    sink = JsonlSink(CrewMetrics(), tmp_path, clock=lambda: at("2030-05-06T10:00:00"))
    both = CompositeExporter([Broken(), sink])
    with caplog.at_level(logging.WARNING, logger="crew_lsp.telemetry"):
        both.export_now()
        both.export_now()
        both.close()
    assert len(lines(sink.path_for(at("2030-05-06T10:00:00")))) == 2
    assert [r.getMessage() for r in caplog.records] == ["metrics exporter broken failed (export_now): collector exploded"]


async def test_periodic_exports_happen_only_while_runs_are_active(tmp_path):
    sink = JsonlSink(CrewMetrics(), tmp_path, clock=lambda: at("2030-05-06T10:00:00"))
    activity = iter([True, False, True])
    ticks = 0

    async with anyio.create_task_group() as tg:
        async def tick(seconds: float) -> None:  # one period per call, the fourth one ends the test
            nonlocal ticks
            assert seconds == 60.0
            ticks += 1
            if ticks == 4:
                tg.cancel_scope.cancel()
            await anyio.lowlevel.checkpoint()

        tg.start_soon(export_periodically, sink, lambda: next(activity), 60.0, tick)
    assert len(lines(sink.path_for(at("2030-05-06T10:00:00")))) == 2


# --- redaction of what the sink writes --------------------------------------------------------------

SAFE_KEYS = ["role", "status", "team", "tokens", "max_tokens", "tokenCount", "name", "labels", "value", "le", "help"]
SECRET_KEYS = ["auth_token", "password", "apiKey", "GITHUB_TOKEN", "client_secret", "AZURE_OPENAI_KEY", "PGPASSWORD"]
# words that no redaction rule can read as a secret: no `=`, `:`, `-`, `_`, capitals, and no `bearer`
safe_text = st.text("abcdefghijklmnopqrstuvwxyz0123456789 ", max_size=30).filter(lambda s: "bearer" not in s)
# a secret starts with capitals no safe word or key holds, so finding it in the output means it leaked
secret_value = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=40).map(
    lambda s: "QZ" + s)


@st.composite
def leaf(draw) -> tuple[object, object, list[str]]:
    """(value, what the sink must write, the secrets it holds) for a value under a safe key."""
    kind = draw(st.sampled_from(["text", "number", "flag", "bearer", "github", "pair"]))
    if kind == "text":
        text = draw(safe_text)
        return text, text, []
    if kind == "number":
        number = draw(st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False, width=32))
        return number, number, []
    if kind == "flag":
        flag = draw(st.sampled_from([True, False, None]))
        return flag, flag, []
    words, secret = draw(safe_text), draw(secret_value)
    if kind == "bearer":
        return f"{words} Bearer {secret}", f"{words} Bearer ***", [secret]
    if kind == "github":
        token = "ghp_" + draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=36, max_size=36))
        return f"{words} {token}", f"{words} ***", [token]
    return f"{words} password={secret}", f"{words} password=***", [secret]


def payload(depth: int = 3):
    @st.composite
    def node(draw, level: int) -> tuple[object, object, list[str]]:
        if level == 0 or draw(st.booleans()):
            return draw(leaf())
        if draw(st.booleans()):
            items = draw(st.lists(node(level - 1), max_size=4))
            return [i[0] for i in items], [i[1] for i in items], [s for i in items for s in i[2]]
        value, expected, secrets = {}, {}, []
        for key in draw(st.lists(st.sampled_from(SAFE_KEYS + SECRET_KEYS), unique=True, max_size=5)):
            if key in SECRET_KEYS:  # whatever sits under a secret key, even a nested object, is masked whole
                v, _, _ = draw(node(level - 1))
                hidden = draw(secret_value)
                value[key], expected[key] = ({"inner": hidden, "more": v} if draw(st.booleans()) else hidden), "***"
                secrets.append(hidden)
            else:
                value[key], expected[key], found = draw(node(level - 1))
                secrets.extend(found)
        return value, expected, secrets

    return node(depth)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload())
def test_the_sink_writes_no_secret_and_loses_no_non_secret(tmp_path, case):
    value, expected, secrets = case
    sink = JsonlSink(CrewMetrics(), tmp_path, clock=lambda: at("2030-05-06T10:00:00"))
    assert sink.append({"exportedAt": "2030-05-06T10:00:00.000Z", "metrics": [value]})
    written_text = sink.path_for(at("2030-05-06T10:00:00")).read_text().splitlines()[-1]
    written = json.loads(written_text)
    assert written["metrics"] == [expected]  # every non-secret where it was, every secret masked
    for secret in secrets:
        assert secret not in written_text


def test_a_secret_in_a_label_value_never_reaches_the_sink(tmp_path):
    metrics = CrewMetrics()
    metrics.task_ended("completed", "auth_token=secret", 1.0, 12)
    metrics.task_ended("completed", "Bearer abcdefghijklmnop", 1.0, 12)
    sink = JsonlSink(metrics, tmp_path, clock=lambda: at("2030-05-06T10:00:00"))
    sink.export_now()
    text = sink.path_for(at("2030-05-06T10:00:00")).read_text()
    assert "secret" not in text and "abcdefghijklmnop" not in text
    assert '"role":"auth_token=***"' in text and '"sum":12' in text  # `tokens`-style figures stay
