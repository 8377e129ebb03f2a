"""Fixtures for tests that drive the real `pi` CLI offline (see real_pi_harness.py)."""

from __future__ import annotations

from real_pi_harness import fake_llm, pi_sandbox, real_pi_bin  # noqa: F401  (fixtures)
