"""Redaction of secrets wherever data leaves memory: secret names, credentials in URLs, well-known
token shapes (docs/runs.md, Redaction); counts such as `tokens` or `max_tokens` are not secrets."""

from __future__ import annotations

import hashlib

import pytest

from crew_lsp.telemetry.redact import MASK, is_secret_key, redact, redact_text

# Made-up credentials in the real shapes (assembled, so the file itself trips no secret scanner).
OPENAI = "sk-" + "proj-" + "Ab3dEf5hIj7lMn9pQr1tUv3xYz5" * 2
ANTHROPIC = "sk-" + "ant-api03-" + "q8Wn2Lk5Zx7Vb1Mc4Rt6Yp9Hs3Jd0Gf" * 3
GITHUB_CLASSIC = "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_OAUTH = "gh" + "o_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
GITHUB_APP = "gh" + "s_" + "M1n2B3v4C5x6Z7l8K9j0H1g2F3d4S5a6P7o8"
GITHUB_FINE = "github" + "_pat_" + "11ABCDEFG0" + "abcdefghijklmnopqrstuv_" + "W1x2Y3z4" * 7
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_TEMP_ID = "ASIA" + "Y34FZKBOKMUTVV7A"
SLACK_BOT = "xox" + "b-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_USER = "xox" + "p-" + "123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef"
JWT = ("eyJ" + "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
       + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")


def test_secret_keys_by_segment():
    for key in ("auth_token", "GITHUB_TOKEN", "apiKey", "api_key", "OPENAI_API_KEY", "password", "PASSWD", "client_secret",
                "credentials", "Authorization", "private_key", "privateKey", "x-api-key"):
        assert is_secret_key(key), key
    for key in ("tokens", "max_tokens", "input_tokens", "monkey", "keyboard", "secretary", "author", "passage"):
        assert not is_secret_key(key), key


@pytest.mark.parametrize("name", [
    "PGPASSWORD",  # a secret word inside a name, not only a whole segment
    "MYSQL_ROOT_PASSWD",
    "AZURE_OPENAI_KEY",  # *_KEY
    "sshKey",
    "GH_PAT",  # *_PAT
    "NPM_AUTH",  # *_AUTH*
    "NPM_CONFIG__AUTH_TOKEN",
    "_authToken",
    "SLACKTOKEN",  # *TOKEN*
    "refreshToken",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "SECRETKEY",  # *SECRET*
    "GOOGLE_APPLICATION_CREDENTIALS",  # *CREDENTIAL*
    "SSH_PASSPHRASE",
])
def test_secret_words_inside_names(name):
    assert is_secret_key(name)


@pytest.mark.parametrize("name", [
    "max_tokens", "maxTokens", "MAX_TOKEN", "token_count", "tokenCount", "TOKENIZERS_PARALLELISM", "outputTokens",
    "key", "keys", "key_span", "PATH", "path", "pattern", "compat", "OAUTHOR", "bypass", "passage", "DATABASE_URL",
    "secretary",
])
def test_counts_and_ordinary_names_are_not_secret(name):
    assert not is_secret_key(name)


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


def test_environment_dump_lines_lose_their_secret_values():
    dump = ("PGPASSWORD=hunter2\nAZURE_OPENAI_KEY=0123abcd\nGH_PAT=patvalue\nNPM_AUTH=npmvalue\n"
            "export MYSQL_PWD_PASSWORD='quoted value'\nHOME=/home/u\nmax_tokens=100\n")
    assert redact_text(dump) == ("PGPASSWORD=***\nAZURE_OPENAI_KEY=***\nGH_PAT=***\nNPM_AUTH=***\n"
                                 "export MYSQL_PWD_PASSWORD='***'\nHOME=/home/u\nmax_tokens=100\n")
    assert redact_text('{"PGPASSWORD": "hunter2", "tokens": 12}') == '{"PGPASSWORD": "***", "tokens": 12}'


@pytest.mark.parametrize("url, expected", [
    ("postgres://user:pass@host", "postgres://user:***@host"),
    ("DATABASE_URL=postgres://u:hunter2@db/x", "DATABASE_URL=postgres://u:***@db/x"),
    ("see https://deploy:s3cr%40t@example.com:8443/path?q=1 now", "see https://deploy:***@example.com:8443/path?q=1 now"),
    ("redis://:onlypass@cache:6379/0", "redis://:***@cache:6379/0"),
    ("mongodb+srv://app:p@ss@cluster0.example.net/db", "mongodb+srv://app:***@cluster0.example.net/db"),
])
def test_credentials_in_urls_keep_the_user_and_lose_the_password(url, expected):
    assert redact_text(url) == expected


@pytest.mark.parametrize("token", [OPENAI, ANTHROPIC, GITHUB_CLASSIC, GITHUB_OAUTH, GITHUB_APP, GITHUB_FINE,
                                   AWS_ID, AWS_TEMP_ID, SLACK_BOT, SLACK_USER, JWT])
def test_well_known_token_shapes_are_redacted_in_any_text(token):
    out = redact_text(f"the worker said: {token}, then stopped")
    assert token not in out and MASK in out
    assert out.startswith("the worker said: ") and out.endswith(", then stopped")
    assert token not in redact_text(token) and token not in redact_text(f'["{token}"]')


def test_a_token_inside_a_url_or_a_header_is_redacted():
    assert GITHUB_CLASSIC not in redact_text(f"https://{GITHUB_CLASSIC}@github.com/o/r.git")
    assert JWT not in redact_text(f"curl -H 'X-Session: {JWT}' https://api.example.com")


@pytest.mark.parametrize("text", [
    "usage: max_tokens=4096, tokens: 12, input_tokens=3",
    "sha256 " + hashlib.sha256(b"x").hexdigest(),
    "commit 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    "skill sketch sky skeleton sk-learn task-runner risk-free-rate-estimates ask-me",
    "the AKIA prefix alone, AKIAshort, and ASIAN food",
    "xoxo - hugs; eyJ alone; eyJhbGciOiJIUzI1NiJ9 without a payload",
    "see https://example.com/path and git@github.com:o/r.git and user@example.com",
    "path=/usr/bin, pattern: *.md, compat=yes, Note: keep it short",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
])
def test_ordinary_text_is_left_alone(text):
    assert redact_text(text) == text


def test_redaction_is_idempotent():
    text = f"PGPASSWORD=hunter2 postgres://u:p@h/x {GITHUB_CLASSIC} Authorization: Bearer {JWT}"
    once = redact_text(text)
    assert redact_text(once) == once
