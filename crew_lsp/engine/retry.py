"""Retry policy (docs/runs.md, Reliability): exponential backoff with jitter, glob-filtered errors, never a cancel."""

from __future__ import annotations

import fnmatch
import random

from crew_lsp.engine.config import RetryPolicy


def retry_delay_ms(policy: RetryPolicy, attempt: int, rng: random.Random | None = None) -> float:
    """Delay after attempt ``attempt`` (1-based): backoffMs·factor^(n−1) ± jitterRatio, never negative."""
    base = policy.backoff_ms * policy.factor ** (attempt - 1)
    if policy.jitter_ratio:
        base += base * policy.jitter_ratio * (2 * (rng or random).random() - 1)
    return max(0.0, base)


def retryable(policy: RetryPolicy, *errors: str | None) -> bool:
    """No globs = every error. A glob may match the engine's message or the worker's own words
    (its last stderr line, pi's errorMessage). Cancellation is never retried: callers do not ask."""
    if not policy.retryable_errors:
        return True
    texts = [e for e in errors if e]
    return any(fnmatch.fnmatchcase(t, p) for t in texts for p in policy.retryable_errors)


def max_attempts(policy: RetryPolicy, max_retries_per_task: int | None) -> int:
    """`retryPolicy.maxAttempts`, capped by `limits.maxRetriesPerTask` when that is set."""
    return policy.max_attempts if max_retries_per_task is None else min(policy.max_attempts, max_retries_per_task)
