"""Redaction (docs/runs.md, Redaction): secret keys, secret strings; `tokens` is not a secret."""

from __future__ import annotations

from crew_lsp.telemetry.redact import MASK, is_secret_key, redact, redact_text, safe_environment


def test_secret_keys_by_segment():
    for key in ("auth_token", "GITHUB_TOKEN", "apiKey", "api_key", "OPENAI_API_KEY", "password", "PASSWD", "client_secret",
                "credentials", "Authorization", "private_key", "privateKey", "x-api-key"):
        assert is_secret_key(key), key
    for key in ("tokens", "max_tokens", "input_tokens", "monkey", "keyboard", "secretary", "author", "passage"):
        assert not is_secret_key(key), key


def test_redact_objects_keeps_structure():
    value = {"auth_token": "secret", "tokens": 12, "nested": [{"password": "p", "ok": "Bearer abc.def-123"}]}
    assert redact(value) == {"auth_token": MASK, "tokens": 12, "nested": [{"password": MASK, "ok": f"Bearer {MASK}"}]}


def test_redact_strings():
    pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3Nza\n-----END OPENSSH PRIVATE KEY-----"
    text = f"a {pem} b\nAuthorization: Basic dXNlcjpwYXNz\npassword=hunter2 api_key: abc token=\"q w\" tokens=5"
    out = redact_text(text)
    for leaked in ("AAAAB3Nza", "dXNlcjpwYXNz", "hunter2", "abc", "q w"):
        assert leaked not in out
    assert "tokens=5" in out and out.startswith("a ***")
    assert redact_text('{"auth_token": "secret", "tokens": 12}') == '{"auth_token": "***", "tokens": 12}'


def test_safe_environment_drops_secret_variables():
    env = {"PATH": "/bin", "GITHUB_TOKEN": "x", "AWS_SECRET_ACCESS_KEY": "y", "MAX_TOKENS": "5", "DB_PASSWORD": "z"}
    assert safe_environment(env) == {"PATH": "/bin", "MAX_TOKENS": "5"}
