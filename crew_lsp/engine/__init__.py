"""Runs: plan → schedule → work → record (docs/runs.md).

The public entry point is `RunManager` (crew_lsp.engine.manager); `crew-lsp run|runs|plan` is
`crew_lsp.engine.cli.main`. Names are resolved lazily so importing the package stays cheap.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "RunManager": "crew_lsp.engine.manager",
    "RunStateError": "crew_lsp.engine.store_ops",
    "EngineOptions": "crew_lsp.engine.context",
    "RunUpdate": "crew_lsp.engine.recorder",
    "Progress": "crew_lsp.engine.views",
    "RunView": "crew_lsp.engine.views",
    "TaskView": "crew_lsp.engine.views",
    "RunSummary": "crew_lsp.engine.views",
    "HeartbeatChange": "crew_lsp.engine.views",
    "HeartbeatTick": "crew_lsp.engine.views",
    "MetricsListener": "crew_lsp.engine.metrics_listener",
    "RunEvent": "crew_lsp.engine.model",
    "PlanError": "crew_lsp.engine.validate",
    "PlanIssue": "crew_lsp.engine.validate",
    "WorkerConfigError": "crew_lsp.engine.config",
    "UnsafePath": "crew_lsp.engine.state",
    "IllegalTransition": "crew_lsp.engine.states",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
