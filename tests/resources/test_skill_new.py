"""A new skill's SKILL.md (docs/editor.md, New skill): names, safe values, the templates' text, the target."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crew_lsp.resources.skill_new import (
    NewSkillError, check_description, check_name, check_template, render_skill, skill_file, write_skill_file, yaml_value,
)
from crew_lsp.resources.skill_templates import TEMPLATES


@pytest.mark.parametrize("name", ["review", "code-review-2", "a", "x" * 64])
def test_a_name_of_lowercase_words_joined_by_hyphens_is_accepted(name):
    assert check_name(name) == name


@pytest.mark.parametrize(("name", "why"), [
    ("", "needs a name"),
    ("Review", "lowercase"), ("my_skill", "lowercase"), ("-x", "single hyphens"), ("x-", "single hyphens"),
    ("a--b", "single hyphens"), ("../x", "lowercase"), ("x/y", "lowercase"), ("x" * 65, "at most 64"),
    ("true", "number or a boolean"), ("null", "number or a boolean"), ("123", "number or a boolean"),
    ("1e-5", "number or a boolean"), ("0x1f", "number or a boolean"),
])
def test_a_bad_name_is_refused_naming_the_argument(name, why):
    with pytest.raises(NewSkillError, match=why) as caught:
        check_name(name)
    assert caught.value.argument == "name"


@pytest.mark.parametrize("bad", ["two\nlines", "a\rb", "tab\there", "nul\x00", "sep\u2028x", "x" * 1025, "lone \ud800"])
def test_a_description_must_be_one_bounded_line_of_text(bad):
    with pytest.raises(NewSkillError) as caught:
        check_description(bad)
    assert caught.value.argument == "description"


def test_a_blank_description_means_none_given_and_a_given_one_is_trimmed():
    assert check_description(None) is None
    assert check_description("   ") is None
    assert check_description("  Check links  ") == "Check links"


def test_an_unknown_template_is_refused_with_the_known_ones():
    with pytest.raises(NewSkillError, match="one of code-review, testing, security-audit, refactor, documentation"):
        check_template("linting")


@pytest.mark.parametrize(("text", "written"), [
    ("Review code for bugs", "Review code for bugs"),
    ("Check links: internal and external", '"Check links: internal and external"'),  # `: ` breaks YAML
    ("Counts #tags", '"Counts #tags"'),
    ("Ends with a colon:", '"Ends with a colon:"'),
    ("'quoted' start", "\"'quoted' start\""),
    ("[not a list]", '"[not a list]"'),
    ("- not a list item", '"- not a list item"'),
    ("true", '"true"'),
    ("42", '"42"'),
    ('Say "hi" \\ bye: now', '"Say \\"hi\\" \\\\ bye: now"'),
    ("a:b and c#d", "a:b and c#d"),  # a colon or hash without a blank is plain text in YAML too
])
def test_values_are_plain_when_both_readers_agree_and_double_quoted_otherwise(text, written):
    assert yaml_value(text) == written


def _frontmatter(text: str) -> dict[str, str]:
    block = text.split("---\n")[1]
    return dict(line.split(": ", 1) for line in block.splitlines())


@pytest.mark.parametrize("template", [None, *TEMPLATES])
def test_every_template_renders_name_description_steps_and_its_guardrails_as_rules(template):
    chosen = check_template(template)
    text = render_skill("my-skill", chosen)
    fm = _frontmatter(text)
    assert fm["name"] == "my-skill"
    assert fm["description"] == (chosen.description if chosen else "Describe when an agent should use this skill")
    assert "## Rules" in text and "{" not in text  # every slot filled with its default
    if chosen is not None:
        assert all(rule.split("{")[0] in text for rule in chosen.rules)
        assert text.count("\n1. ") == 1


def test_a_given_description_replaces_the_templates():
    text = render_skill("audit", check_template("security-audit"), "Audit the payment service")
    assert _frontmatter(text)["description"] == "Audit the payment service"


@functools.cache
def _pi_yaml() -> str | None:
    """The `yaml` package pi itself loads (the reader of skill frontmatter), found from the real pi's own folder."""
    pi = os.environ.get("PI_REAL_BIN")
    if not pi or not Path(pi).exists() or shutil.which("node") is None:
        return None
    where = json.dumps(str(Path(pi).resolve().parent))
    found = subprocess.run(["node", "-e", f"console.log(require.resolve('yaml', {{paths: [{where}]}}))"],
                           capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


@pytest.mark.skipif(_pi_yaml() is None, reason="needs node and PI_REAL_BIN (pi's own YAML reader)")
@pytest.mark.parametrize("description", ["Review code for bugs", "Check links: internal and external", "true", "42",
                                         'Say "hi" \\ bye: now', "- dash", "Ünïcödé: ok #1"])
def test_pi_reads_the_name_and_description_back_as_text(description):
    text = render_skill("my-skill", None, description)
    block = text.split("---\n")[1]
    script = f"const {{parse}} = require({json.dumps(_pi_yaml())}); console.log(JSON.stringify(parse({json.dumps(block)})))"
    parsed = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert parsed == {"name": "my-skill", "description": description}


def test_the_target_is_refused_when_it_exists_or_leads_out_of_the_workspace(tmp_path):
    folder = tmp_path / "ws"
    (folder / "skills" / "taken").mkdir(parents=True)
    (folder / "skills" / "taken" / "SKILL.md").write_text("x")
    assert skill_file(folder, folder / "skills", "fresh") == folder / "skills" / "fresh" / "SKILL.md"
    with pytest.raises(NewSkillError, match="already exists"):
        skill_file(folder, folder / "skills", "taken")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    planted = tmp_path / "planted"
    (planted / "skills").mkdir(parents=True)
    (planted / "skills" / "evil").symlink_to(outside)
    with pytest.raises(NewSkillError, match="leads out of the workspace"):
        skill_file(planted, planted / "skills", "evil")


def test_writing_never_replaces_a_file_that_appeared_meanwhile(tmp_path):
    path = tmp_path / "skills" / "x" / "SKILL.md"
    write_skill_file(path, "first")
    with pytest.raises(NewSkillError, match="already exists"):
        write_skill_file(path, "second")
    assert path.read_text() == "first"


def test_a_description_is_written_as_given_even_when_it_looks_like_a_slot():
    text = render_skill("x", check_template("code-review"), "Review {language} code")
    assert _frontmatter(text)["description"] == "Review {language} code"
