"""Starting text for files created by quick fixes (valid, so a new file checks clean but for its TODOs)."""

from __future__ import annotations

from crew_lsp.resources.team import Team


def todo_description(kind: str) -> str:
    return f"TODO: what this {kind} is for"


def frontmatter_template(name: str, kind: str) -> str:
    return f"---\nname: {name}\ndescription: {todo_description(kind)}\n---\n"


def agent_template(name: str) -> str:
    return (
        f"---\nname: {name}\ndescription: TODO: what {name} does and when to use it\n"
        "tools: read, grep, find, ls\n---\n"
        f"You are the {name} agent. Describe the job, the inputs you rely on, and what a finished answer contains.\n"
    )


def workflow_template(name: str, team: Team | None = None) -> str:
    roles = [r.name for r in team.roles] if team is not None and team.roles else ["explorer"]
    steps = []
    previous = None
    for role in roles:
        deps = f"dependsOn: {previous}\n" if previous else ""
        steps.append(f"## {role}\nrole: {role}\n{deps}\nWork on {{goal}} as the {role}.\n")
        previous = role
    return f"---\nname: {name}\ndescription: TODO: what this workflow achieves\n---\n\n" + "\n".join(steps)
