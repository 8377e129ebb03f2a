"""`crew-lsp export` (README.md, Command line): files for Claude Code, Cursor or Codex, written only inside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AGENT = "---\nname: Code Reviewer\ndescription: Reviews diffs\nmodel: openai/gpt-5\ntools: read, grep\n---\nReview the diff.\n"
TEAM = "---\nname: review\ndescription: Reviews a change\n---\n- reviewer: agent=Code Reviewer look at it\n"


def export(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crew_lsp", "export", *args], cwd=cwd, env=os.environ,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    for rel, text in {".crew/agents/code-reviewer.md": AGENT, ".crew/teams/review.team.md": TEAM}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_claude_export_writes_a_subagent_and_a_command_and_lists_dropped_fields(project):
    out = export("--target", "claude", cwd=project)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["created .claude/agents/code-reviewer.md", "created .claude/commands/crew-team-review.md"]
    assert "dropped .crew/agents/code-reviewer.md: model — Claude Code has no counterpart for `model`" in out.stdout
    assert (project / ".claude/agents/code-reviewer.md").read_text().startswith("---\nname: code-reviewer\n")
    again = export("--target", "claude", cwd=project)
    assert again.stdout.splitlines()[:2] == ["unchanged .claude/agents/code-reviewer.md", "unchanged .claude/commands/crew-team-review.md"]


def test_dry_run_writes_nothing_and_says_what_it_would_write(project):
    out = export("--target", "cursor", "--dry-run", "--json", cwd=project)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert [(Path(f["path"]).name, f["action"]) for f in report["files"]] == [
        ("crew-agent-code-reviewer.mdc", "create"), ("crew-team-review.mdc", "create")]
    assert not (project / ".cursor").exists()


def test_codex_export_adds_a_block_to_agents_md_and_keeps_its_text(project):
    (project / "AGENTS.md").write_text("# House rules\n\nRun the tests.\n")
    assert export("--target", "codex", cwd=project).returncode == 0
    text = (project / "AGENTS.md").read_text()
    assert text.startswith("# House rules\n\nRun the tests.\n")
    assert "<!-- PI-CREW:BLOCK:crew-lsp-export -->" in text and "## Agent `Code Reviewer`" in text
    assert export("--target", "codex", cwd=project).stdout.startswith("unchanged AGENTS.md")


def test_an_out_folder_outside_the_repository_is_refused(project, tmp_path):
    out = export("--target", "claude", "--out", str(tmp_path / "elsewhere"), cwd=project)
    assert out.returncode == 2
    assert "outside the repository" in out.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_a_symlinked_target_folder_leaving_the_repository_is_not_written_through(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".claude").symlink_to(outside)
    out = export("--target", "claude", cwd=project)
    assert out.returncode == 2 and "symlink" in out.stderr
    assert list(outside.iterdir()) == []


def test_an_unknown_target_is_a_usage_error(project):
    out = export("--target", "emacs", cwd=project)
    assert out.returncode == 2 and "invalid choice" in out.stderr
