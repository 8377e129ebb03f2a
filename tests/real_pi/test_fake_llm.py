"""The scripted model server itself (no `pi` needed): routing, errors, the log, a released hang."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request


def _chat(llm, text: str, *, stream: bool = False, timeout: float = 5) -> tuple[int, bytes]:
    body = json.dumps({"model": "fake-model", "stream": stream,
                       "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]}).encode()
    req = urllib.request.Request(f"{llm.base_url}/chat/completions", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_routes_script_directives_and_log(fake_llm):
    fake_llm.route("KEY_A", {"text": "first a"}, {"tool": "bash", "args": {"command": "ls"}})
    fake_llm.route("KEY_B", {"status": 500})
    fake_llm.script = [{"text": "from the script"}]
    status, data = _chat(fake_llm, "do KEY_A")
    assert status == 200 and json.loads(data)["choices"][0]["message"]["content"] == "first a"
    assert _chat(fake_llm, "do KEY_B")[0] == 500
    status, data = _chat(fake_llm, "do KEY_A", stream=True)
    assert b'"finish_reason": "tool_calls"' in data and data.rstrip().endswith(b"data: [DONE]")
    assert json.loads(_chat(fake_llm, "other")[1])["choices"][0]["message"]["content"] == "from the script"
    assert _chat(fake_llm, "now FAIL_429")[0] == 429
    assert [r["route"] for r in fake_llm.chat_requests()] == ["KEY_A", "KEY_B", "KEY_A", None, None]
    logged = [json.loads(line) for line in open(fake_llm.log)]
    assert [e["route"] for e in logged] == ["KEY_A", "KEY_B", "KEY_A", None, None]


def test_close_releases_a_hanging_answer(fake_llm):
    fake_llm.route("KEY_H", {"hang_s": 30, "text": "late"})
    got = {}
    thread = threading.Thread(target=lambda: got.update(r=_chat(fake_llm, "KEY_H", timeout=10)))
    thread.start()
    while not fake_llm.chat_requests("KEY_H"):
        time.sleep(0.01)
    fake_llm.released.set()
    thread.join(30)  # a hang guard: released, the hanging answer comes at once
    assert got["r"][0] == 200
