"""The tools a worker is started with, as the workspace's pi-crew version gives them (docs/runs.md, Versions).

Before 0.8.1 an agent's `tools:` is the whole story: its list becomes pi's `--tools`, and no list means
every tool. From 0.8.1 each role has tool defaults (`catalogue.role_tool_configs`) and
`catalogue.resolve_tool_policy` picks the allowlist from the role and the agent. pi has no flag to
take tools away, so the role's exclusions are taken out of the allowlist, and a role with exclusions
but no allowlist gets pi's builtin tools less them. A role without tool defaults that the version
makes read-only (from 0.9.46: a role in neither permission list) loses `edit` and `write` the same
way; pi-crew's guard on a read-only role's shell commands lives in its worker extension and is not
reproduced.
"""

from __future__ import annotations

from typing import Any

from crew_lsp.resources.catalogue import RoleTools, resolve_tool_policy
from crew_lsp.resources.versions import Reading

_WRITE_TOOLS = ("edit", "write")


def worker_tools(reading: Reading, role: str, agent: Any | None) -> list[str]:
    """`--tools` for a task of ``role`` run by ``agent`` (its resource, or None); [] passes no `--tools`."""
    model = getattr(agent, "model", None)
    tools = list(getattr(model, "tools", None) or [])
    configs = reading.role_tools()
    if not configs:
        return tools
    doc = getattr(agent, "doc", None)
    listed = doc is not None and "tools" in doc.frontmatter.fields  # `tools: none` is a list, and an empty one
    key = role.replace("_", "-")
    if key not in configs and role not in configs and not reading.may_write(role):
        configs = {**configs, key: RoleTools(None, _WRITE_TOOLS)}
    policy = resolve_tool_policy(role, builtin=getattr(agent, "scope", None) == "builtin",
                                 agent_tools=tuple(tools) if listed else None, configs=configs)
    excluded = set(policy.exclude)
    if policy.tools is None:
        return [t for t in reading.builtin_tools if t not in excluded] if excluded else []
    return [t for t in policy.tools if t not in excluded]
