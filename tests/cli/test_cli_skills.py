"""`crew-lsp skills new` (README.md, Command line): writes skills/NAME/SKILL.md once, inside the workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crew_lsp.resources.skill_templates import TEMPLATES


def crew(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PI_TEAMS_HOME": str(cwd.parent / "home")}
    return subprocess.run([sys.executable, "-m", "crew_lsp", *args], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / ".crew").mkdir()
    return root


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_a_skill_from_each_template_is_written_and_checks_clean(project, template):
    made = crew("skills", "new", "house-style", "--template", template, cwd=project)
    assert made.returncode == 0, made.stderr
    path = project / "skills" / "house-style" / "SKILL.md"
    assert made.stdout.strip() == str(path.resolve())
    text = path.read_text()
    assert text.startswith("---\nname: house-style\ndescription: ") and "## Rules" in text
    checked = crew("check", ".", cwd=project)
    assert checked.returncode == 0 and checked.stdout.strip() == "", checked.stdout


def test_description_and_cwd_choose_the_text_and_the_workspace(project, tmp_path):
    made = crew("skills", "new", "links", "--description", "Check links: internal and external", "--cwd", str(project),
                cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = (project / "skills" / "links" / "SKILL.md").read_text()
    assert 'description: "Check links: internal and external"\n' in text  # quoted: YAML readers need it
    assert text.startswith("---\nname: links\n") and "\n# links\n" in text


def test_an_existing_skill_is_never_overwritten(project):
    assert crew("skills", "new", "once", cwd=project).returncode == 0
    path = project / "skills" / "once" / "SKILL.md"
    path.write_text("edited by hand\n")
    again = crew("skills", "new", "once", "--template", "testing", cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert path.read_text() == "edited by hand\n"


@pytest.mark.parametrize(("args", "says"), [
    (["Bad_Name"], "NAME: `Bad_Name` is not a skill name"),
    (["../escape"], "NAME: `../escape` is not a skill name"),
    (["ok", "--template", "linting"], "--template: `linting` is not a skill template"),
    (["ok", "--description", "two\nlines"], "--description: must be one line"),
])
def test_bad_input_is_a_usage_error_naming_the_argument(project, args, says):
    out = crew("skills", "new", *args, cwd=project)
    assert out.returncode == 2 and says in out.stderr
    assert not (project / "skills").exists()


def test_a_skills_folder_that_leads_out_of_the_workspace_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "skills").symlink_to(outside)
    out = crew("skills", "new", "evil", cwd=project)
    assert out.returncode == 2 and "leads out of the workspace" in out.stderr
    assert list(outside.iterdir()) == []
