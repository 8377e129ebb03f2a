#!/usr/bin/env python3
"""Scripted fake OpenAI-compatible model server (stdlib only) for driving the real `pi` CLI offline.

The state lives in a `FakeLLM` object (so a test can run one in-process on an ephemeral 127.0.0.1
port and read the requests back), requests can be routed to per-task scripts, and a hanging answer
is released when the server closes.

    with FakeLLM(routes={"STEP_A": [{"tool": "bash", "args": {...}}, {"text": "done"}]}, log=path) as llm:
        llm.port, llm.base_url, llm.requests  # every request body, in arrival order

Endpoints: POST /v1/chat/completions (SSE when body.stream is true, else one JSON), GET /v1/models,
GET /health.

Each request is answered by the first of:
  1. `routes`: {key: [step, ...]} — the first key found in the request's *first* user message (the
     task prompt, present in every turn of one `pi` run) pops the next step of that queue. Several
     tasks of one run can so talk to the same server in any order.
  2. `script`: [step, ...] — a global queue, consumed in arrival order.
  3. Directives in the last user message: FAIL_500 / FAIL_429 / FAIL_400, SLOW (60 one-second
     chunks), DROP_STREAM, HANG (30 s), CALL_TOOL <name> <json-args>.
  4. The last message is a tool result → "TOOL_RESULT_SEEN: <first 300 chars>".
  5. Otherwise "Hello from fake LLM. Task was: <first 200 chars of the user text>".
Steps:
  {"text": "hello"}                               plain assistant text
  {"tool": "bash", "args": {"command": "ls"}}     one tool call (finish_reason tool_calls)
  {"status": 500, "body": {...}}                  HTTP error
  {"text": "...", "delay": 0.5}                   sleep between SSE chunks
  {"thinking": "...", "text": "..."}              reasoning_content delta, then text
  {"text": "...", "drop": true}                   close the socket after the first text chunk
  {"hang_s": 30, "text": "..."}                   sleep before answering (ends early when the server closes)
Usage of every answer: prompt 42, completion 7 tokens.

Run standalone: python3 fake_llm.py --port 0 --port-file F [--script steps.json] [--log requests.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49, "prompt_tokens_details": {"cached_tokens": 0}}


def text_of(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, dict):
                if part.get("type") in ("text", "input_text", "output_text"):
                    out.append(part.get("text", ""))
            elif isinstance(part, str):
                out.append(part)
        return "\n".join(out)
    return str(content)


def first_user_text(body: dict) -> str:
    for m in body.get("messages") or []:
        if m.get("role") == "user":
            return text_of(m.get("content"))
    return ""


def directive_step(messages: list[dict]) -> dict:
    last = messages[-1] if messages else {}
    last_user = ""
    for m in reversed(messages):
        if m.get("role") == "user":
            last_user = text_of(m.get("content"))
            break
    if last.get("role") == "tool":
        return {"text": "TOOL_RESULT_SEEN: " + text_of(last.get("content"))[:300]}
    if "FAIL_500" in last_user:
        return {"status": 500, "body": {"error": {"message": "fake internal error", "type": "server_error", "code": None}}}
    if "FAIL_429" in last_user:
        return {"status": 429, "body": {"error": {"message": "fake rate limit", "type": "rate_limit_error",
                                                  "code": "rate_limit_exceeded"}}, "headers": {"retry-after": "1"}}
    if "FAIL_400" in last_user:
        return {"status": 400, "body": {"error": {"message": "fake bad request", "type": "invalid_request_error", "code": None}}}
    if "DROP_STREAM" in last_user:
        return {"text": "partial answer that will be cut", "drop": True, "chunk_words": 2}
    if "HANG" in last_user:
        return {"text": "late", "hang_s": 30}
    if "SLOW" in last_user:
        return {"text": " ".join(f"tick{i}" for i in range(60)), "delay": 1.0, "chunk_words": 1}
    m = re.search(r"CALL_TOOL\s+(\w+)\s+(\{.*?\})\s*$", last_user, re.S | re.M)
    if m:
        return {"tool": m.group(1), "args": json.loads(m.group(2))}
    return {"text": "Hello from fake LLM. Task was: " + last_user[:200]}


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128  # many parallel pi workers


class FakeLLM:
    """One scripted server on 127.0.0.1 (port 0 = ephemeral), serving from daemon threads."""

    def __init__(self, *, script: list[dict] | None = None, routes: dict[str, list[dict]] | None = None,
                 log: str | None = None, port: int = 0):
        self.script = list(script or [])
        self.routes = {k: list(v) for k, v in (routes or {}).items()}
        self.log = log
        self.requests: list[dict] = []  # {"ts", "path", "route", "body"} in arrival order
        self.lock = threading.Lock()
        self.released = threading.Event()  # set on close: hanging answers stop waiting
        handler = type("BoundHandler", (Handler,), {"llm": self})
        self.server = _Server(("127.0.0.1", port), handler)
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread: threading.Thread | None = None

    def start(self) -> FakeLLM:
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def route(self, key: str, *steps: dict) -> None:
        """Answer the requests whose task prompt contains ``key`` with ``steps``, in order."""
        with self.lock:
            self.routes[key] = list(steps)

    def answer_for(self, path: str, body: dict, headers: dict) -> dict | None:
        """Record the request (memory and --log) and pick its answer (None: not a chat request)."""
        entry = {"ts": time.time(), "path": path, "route": None, "headers": headers, "body": body}
        with self.lock:
            self.requests.append(entry)
            step = self._decide(entry) if path.rstrip("/").endswith("/chat/completions") else None
            if self.log:
                with open(self.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")
        return step

    def _decide(self, entry: dict) -> dict:
        """Called with the lock held."""
        body = entry["body"]
        task = first_user_text(body)
        for key, queue in self.routes.items():
            if key in task:
                entry["route"] = key
                if queue:
                    return queue.pop(0)
                break
        if self.script:
            return self.script.pop(0)
        return directive_step(body.get("messages") or [])

    def chat_requests(self, route: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].rstrip("/").endswith("/chat/completions")
                    and (route is None or r["route"] == route)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    llm: FakeLLM  # set on the bound subclass

    def log_message(self, fmt, *args):  # quiet: pytest shows stderr of failing tests only
        pass

    def _json(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}]})
        elif self.path == "/health":
            self._json(200, {"ok": True, "requests": len(self.llm.requests)})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        step = self.llm.answer_for(self.path, body, dict(self.headers))
        if step is None:
            self._json(404, {"error": {"message": f"unsupported path {self.path}"}})
            return
        try:
            self._answer(body, step)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (killed worker): nothing to answer

    def _answer(self, body: dict, step: dict) -> None:
        if step.get("hang_s"):
            # a server that never answers; the worker's cancel or the server's close ends the wait
            self.llm.released.wait(float(step["hang_s"]))
        if "status" in step:
            self._json(step["status"], step.get("body", {"error": {"message": "error"}}), step.get("headers"))
            return
        model = body.get("model", "fake-model")
        cid = "chatcmpl-" + uuid.uuid4().hex[:12]
        created = int(time.time())
        text, thinking, tool = step.get("text"), step.get("thinking"), step.get("tool")
        finish = "tool_calls" if tool else "stop"
        call_id = "call_" + uuid.uuid4().hex[:12]
        args_json = json.dumps(step.get("args", {}))

        if not body.get("stream"):
            msg = {"role": "assistant", "content": text}
            if tool:
                msg["tool_calls"] = [{"id": call_id, "type": "function", "function": {"name": tool, "arguments": args_json}}]
            self._json(200, {"id": cid, "object": "chat.completion", "created": created, "model": model,
                             "choices": [{"index": 0, "message": msg, "finish_reason": finish}], "usage": USAGE})
            return

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        delay = float(step.get("delay", 0))

        def chunk(delta, finish_reason=None):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self.wfile.flush()

        chunk({"role": "assistant", "content": ""})
        if thinking:
            chunk({"reasoning_content": thinking})
        if text:
            n = int(step.get("chunk_words", 3))
            words = text.split(" ")
            for i in range(0, len(words), n):
                piece = " ".join(words[i:i + n]) + (" " if i + n < len(words) else "")
                chunk({"content": piece})
                if step.get("drop"):  # connection dropped mid-stream (no finish_reason, no [DONE])
                    return
                if delay and self.llm.released.wait(delay):
                    return
        if tool:
            chunk({"tool_calls": [{"index": 0, "id": call_id, "type": "function", "function": {"name": tool, "arguments": ""}}]})
            half = len(args_json) // 2
            for part in (args_json[:half], args_json[half:]):
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})
        chunk({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [], "usage": USAGE}
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--script", help="JSON list of scripted responses, consumed in order")
    ap.add_argument("--log", help="append every request as a JSON line here")
    a = ap.parse_args()
    script = None
    if a.script:
        with open(a.script, encoding="utf-8") as f:
            script = json.load(f)
    llm = FakeLLM(script=script, log=a.log, port=a.port)
    if a.port_file:
        with open(a.port_file, "w", encoding="utf-8") as f:
            f.write(str(llm.port))
    print(f"fake_llm listening on {llm.base_url}", flush=True)
    try:
        llm.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
