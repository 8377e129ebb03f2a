"""The exposition passes `promtool check metrics`, and a real Prometheus scrapes `/metrics` (docs/telemetry.md).

Both tools come from Debian's `prometheus` package, which `make test` installs (`make prometheus`).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from engine_helpers import fast_options, steps

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.metrics_listener import MetricsListener
from crew_lsp.telemetry.exporters import MetricsServeError, PrometheusServer, parse_serve_address
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import exposition


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (make prometheus installs Debian's prometheus package)")
    return path


def busy_metrics() -> CrewMetrics:
    m = CrewMetrics()
    m.run_started("r1")
    m.run_ended("r1", "completed", "default", 12.5)
    for role in ("executor", "reviewer", 'a"b\\'):
        m.task_ended("completed", role, 1.5, 2000)
    m.task_ended("skipped", "executor")
    m.retry()
    m.deadletter("max-retries")
    m.heartbeat_levels({"healthy": 1, "dead": 1}, 301.0)
    m.request("textDocument/hover", 0.002)
    m.documents(3)
    return m


def test_the_exposition_of_every_metric_passes_promtool_check_metrics():
    promtool = tool("promtool")
    done = subprocess.run([promtool, "check", "metrics"], input=exposition(busy_metrics().registry), text=True,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == ""  # no lint remark either


async def test_the_exposition_after_a_real_run_of_four_tasks_passes_promtool(ws):
    promtool = tool("promtool")
    ws.team("fan", ["planner", "executor"], workflow="fan")
    ws.workflow("fan", steps(("plan", "planner", "", "p"), ("a", "executor", "plan", "a"), ("b", "executor", "plan", "b"),
                             ("join", "planner", "a, b", "j")))
    metrics = CrewMetrics()
    async with RunManager(ws.root, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        await runs.wait(await runs.start(goal="g", team="fan"))
    text = exposition(metrics.registry)
    assert 'crew_runs_total{status="completed"} 1.0' in text
    done = subprocess.run([promtool, "check", "metrics"], input=text, text=True, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_metrics_are_served_on_loopback_and_a_port_in_use_is_a_clear_error():
    server = PrometheusServer(busy_metrics(), port=0)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url, timeout=10) as response:
            body = response.read().decode()
        assert 'crew_runs_total{status="completed"} 1.0' in body
        with pytest.raises(MetricsServeError, match=f"127.0.0.1:{server.port}: the port is already in use"):
            PrometheusServer(CrewMetrics(), port=server.port)
    finally:
        server.close()
    with pytest.raises(urllib.error.URLError):  # stopped: nothing listens any more
        urllib.request.urlopen(server.url, timeout=5)


@pytest.mark.parametrize(("text", "address"), [
    ("9464", ("127.0.0.1", 9464)), ("0.0.0.0:9100", ("0.0.0.0", 9100)), (":9464", ("127.0.0.1", 9464)),
    ("[::1]:9464", ("::1", 9464)), ("localhost:0", ("localhost", 0)),
])
def test_serve_addresses_default_to_loopback(text, address):
    assert parse_serve_address(text) == address


@pytest.mark.parametrize("text", ["", "http", "70000", "::1:9464", "host:-1"])
def test_a_bad_serve_address_is_a_clear_error(text):
    with pytest.raises(MetricsServeError, match=r"bad metrics address .*(\[HOST:\]PORT|brackets)"):
        parse_serve_address(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(port: int, promql: str) -> list[dict]:
    url = f"http://127.0.0.1:{port}/api/v1/query?query={urllib.parse.quote(promql)}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return []  # not up yet
    return data["data"]["result"] if data.get("status") == "success" else []


def test_a_real_prometheus_server_scrapes_metrics_and_answers_a_query_for_crew_runs_total(tmp_path):
    prometheus = tool("prometheus")
    server = PrometheusServer(busy_metrics(), port=0)
    web_port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: crew\n    scrape_interval: 1s\n"
                      f"    static_configs:\n      - targets: ['127.0.0.1:{server.port}']\n")
    proc = subprocess.Popen([prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
                             f"--web.listen-address=127.0.0.1:{web_port}"],
                            stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("w"))
    try:
        deadline = time.monotonic() + 90
        result: list[dict] = []
        while not result and proc.poll() is None and time.monotonic() < deadline:
            result = query(web_port, 'crew_runs_total{job="crew"}')
            if not result:
                time.sleep(0.25)  # polling interval while Prometheus starts and scrapes, bounded by the deadline
        assert proc.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
        assert [(r["metric"]["status"], r["value"][1]) for r in result] == [("completed", "1")]
        assert [r["value"][1] for r in query(web_port, 'crew_task_duration_seconds_count{role="executor"}')] == ["1"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        server.close()
