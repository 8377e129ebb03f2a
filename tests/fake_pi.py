#!/usr/bin/env python3
"""A stand-in for `pi --mode json -p …` that emits the real JSON-lines stream shape
(the events pi prints in `--mode json`, as tests/real_pi drives the real CLI to show) and misbehaves on request, so the engine's worker rules
are exercised with real processes.

Behaviour comes from environment variables and, overriding them, from a directive line in the
task text: ``FAKE_PI: sleep=1.5 fail=error`` (several directive lines merge). Keys:

  sleep=S         think silently for S seconds before answering
  progress=S      like sleep, but emit a text delta every 0.2 s while thinking
  silent=S        emit nothing at all for S seconds first (not even `session`)
  fail=error      final message with stopReason "error" and an errorMessage (exit code 0, like pi)
  fail=nofinal    stop after `turn_start` without any assistant message (exit code 0)
  fail=exit:N     answer nothing and exit with code N
  fail=kill       SIGKILL itself in the middle of the stream (no final message)
  fail=kill_after_final  SIGKILL itself right after `agent_end`
  ignore_term=1   ignore SIGTERM (only SIGKILL ends it)
  linger=S        after `agent_end`, keep running for S seconds instead of exiting
  grandchild=1    start a `sleep 600` child in the same process group
  tool=NAME       one tool call round trip before the answer
  reply=TEXT      the answer text (underscores become spaces)
  metrics=N:V,…   end the answer with one `CREW_METRIC N=V` line per pair
  once=PATH       apply sleep/fail only if PATH does not exist yet (then create it)

Env equivalents: FAKE_PI_SLEEP, FAKE_PI_PROGRESS, FAKE_PI_SILENT, FAKE_PI_FAIL, FAKE_PI_IGNORE_TERM,
FAKE_PI_LINGER, FAKE_PI_GRANDCHILD, FAKE_PI_TOOL, FAKE_PI_REPLY, FAKE_PI_METRICS, FAKE_PI_ONCE. FAKE_PI_RECORD=DIR
writes {argv, env, cwd, pid, prompt} to DIR/<task id or pid>.json for the test to inspect.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time

KEYS = ("sleep", "progress", "silent", "fail", "ignore_term", "linger", "grandchild", "tool", "reply", "metrics", "once")


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_args(argv: list[str]) -> tuple[dict, str]:
    opts: dict = {"skills": []}
    positional = []
    i = 0
    takes_value = {"--mode", "--model", "--tools", "--skill", "--system-prompt", "--append-system-prompt", "--thinking"}
    while i < len(argv):
        arg = argv[i]
        if arg in takes_value:
            value = argv[i + 1] if i + 1 < len(argv) else ""
            if arg == "--skill":
                opts["skills"].append(value)
            else:
                opts[arg.lstrip("-")] = value
            i += 2
            continue
        if arg.startswith("--") or arg == "-p":
            opts[arg.lstrip("-")] = True
        else:
            positional.append(arg)
        i += 1
    prompt = " ".join(positional)
    if prompt.startswith("@") and os.path.isfile(prompt[1:]):
        with open(prompt[1:], encoding="utf-8") as f:
            prompt = f.read()
    return opts, prompt


def directives(prompt: str) -> dict:
    found = {k: os.environ[f"FAKE_PI_{k.upper()}"] for k in KEYS if os.environ.get(f"FAKE_PI_{k.upper()}")}
    for line in re.findall(r"FAKE_PI:([^\n]*)", prompt):
        for key, value in re.findall(r"(\w+)=(\S+)", line):
            if key in KEYS:
                found[key] = value
    return found


def usage(inp: int = 42, out: int = 7) -> dict:
    return {"input": inp, "output": out, "cacheRead": 0, "cacheWrite": 0, "totalTokens": inp + out,
            "cost": {"input": 0.0001, "output": 0.0002, "cacheRead": 0, "cacheWrite": 0, "total": 0.0003}}


def assistant(content: list, stop: str, model: str, error: str | None = None) -> dict:
    msg = {"role": "assistant", "content": content, "api": "openai-completions", "provider": "fake",
           "model": model, "usage": usage(), "stopReason": stop, "timestamp": int(time.time() * 1000)}
    if error:
        msg["errorMessage"] = error
    return msg


def main() -> int:
    opts, prompt = parse_args(sys.argv[1:])
    d = directives(prompt)
    once = d.get("once")
    if once and os.path.exists(once):
        for key in ("sleep", "progress", "fail", "silent", "ignore_term", "linger", "grandchild"):
            d.pop(key, None)
        once = None
    record = os.environ.get("FAKE_PI_RECORD")
    if record:
        os.makedirs(record, exist_ok=True)
        name = os.environ.get("PI_CREW_TASK_ID") or str(os.getpid())
        system = opts.get("system-prompt") or opts.get("append-system-prompt")
        system_info = None
        if isinstance(system, str) and os.path.isfile(system):
            with open(system, encoding="utf-8") as f:
                system_info = {"path": system, "mode": oct(os.stat(system).st_mode & 0o777), "text": f.read()}
        with open(os.path.join(record, f"{name}.json"), "w") as f:
            json.dump({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(), "pid": os.getpid(),
                       "pgid": os.getpgid(0), "sid": os.getsid(0), "prompt": prompt, "opts": opts,
                       "stdin": os.readlink("/proc/self/fd/0") if os.path.exists("/proc/self/fd/0") else None,
                       "system": system_info}, f)
    if d.get("ignore_term") == "1":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if d.get("grandchild") == "1":
        import subprocess  # only when asked: keeps the common start fast

        subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if once:  # written once the signal set-up and the grandchild are in place
        with open(once, "w") as f:
            f.write(str(os.getpid()))
    if d.get("silent"):
        time.sleep(float(d["silent"]))
    model = str(opts.get("model") or "fake-model")
    fail = d.get("fail", "")
    if fail.startswith("exit:"):
        sys.stderr.write("fake pi: failing on request\n")
        return int(fail.split(":", 1)[1])
    emit({"type": "session", "version": 3, "id": os.urandom(16).hex(), "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "cwd": os.getcwd()})
    emit({"type": "agent_start"})
    emit({"type": "turn_start"})
    user = {"role": "user", "content": [{"type": "text", "text": prompt}], "timestamp": int(time.time() * 1000)}
    emit({"type": "message_start", "message": user})
    emit({"type": "message_end", "message": user})
    if d.get("sleep"):
        time.sleep(float(d["sleep"]))
    if d.get("progress"):
        end = time.time() + float(d["progress"])
        partial = assistant([{"type": "text", "text": ""}], "stop", model)
        while time.time() < end:
            emit({"type": "message_update", "message": partial,
                  "assistantMessageEvent": {"type": "text_delta", "contentIndex": 0, "delta": "thinking… ", "partial": partial}})
            time.sleep(0.2)
    if fail == "nofinal":
        return 0
    if fail == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    messages = [user]
    if d.get("tool"):
        call = {"type": "toolCall", "id": "call_1", "name": d["tool"], "arguments": {"command": "true"}}
        msg = assistant([call], "toolUse", model)
        emit({"type": "message_start", "message": msg})
        emit({"type": "message_end", "message": msg})
        emit({"type": "tool_execution_start", "toolCallId": "call_1", "toolName": d["tool"], "args": call["arguments"]})
        result = {"content": [{"type": "text", "text": "ok"}], "details": {}}
        emit({"type": "tool_execution_end", "toolCallId": "call_1", "toolName": d["tool"], "result": result, "isError": False})
        tool_msg = {"role": "toolResult", "toolCallId": "call_1", "toolName": d["tool"], "content": result["content"], "isError": False}
        emit({"type": "message_start", "message": tool_msg})
        emit({"type": "message_end", "message": tool_msg})
        emit({"type": "turn_end", "message": msg, "toolResults": [tool_msg]})
        emit({"type": "turn_start"})
        messages += [msg, tool_msg]
    if fail == "error":
        final = assistant([], "error", model, error="500 Internal Server Error")
    else:
        task_line = prompt.split("Task:")[-1].strip().splitlines()[0] if "Task:" in prompt else prompt[:60]
        text = d["reply"].replace("_", " ") if d.get("reply") else f"DONE: {task_line}"
        for pair in filter(None, d.get("metrics", "").split(",")):
            name, _, value = pair.partition(":")
            text += f"\nCREW_METRIC {name}={value}"
        final = assistant([{"type": "text", "text": text}], "stop", model)
        start = assistant([], "stop", model)
        emit({"type": "message_start", "message": start})
        for i in range(0, len(text), 16):
            emit({"type": "message_update", "message": start,
                  "assistantMessageEvent": {"type": "text_delta", "contentIndex": 0, "delta": text[i:i + 16], "partial": start}})
    emit({"type": "message_end", "message": final})
    messages.append(final)
    emit({"type": "turn_end", "message": final, "toolResults": []})
    emit({"type": "agent_end", "messages": messages})
    if fail == "kill_after_final":
        os.kill(os.getpid(), signal.SIGKILL)
    if d.get("linger"):
        time.sleep(float(d["linger"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
