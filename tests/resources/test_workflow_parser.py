"""Workflow headings, step metadata and task text (docs/formats.md, Workflows)."""

from __future__ import annotations

import pytest

from crew_lsp.resources.frontmatter import parse_document
from crew_lsp.resources.text import Span
from crew_lsp.resources.workflow import parse_workflow, task_id

FM = "---\nname: w\ndescription: d\n---\n"


def wf(body: str, frontmatter: bool = True):
    return parse_workflow(parse_document((FM if frontmatter else "") + body))


def ids(body: str, frontmatter: bool = True) -> list[str]:
    return [s.id for s in wf(body, frontmatter).steps]


# Headings.


def test_heading_needs_whitespace_after_the_hashes():
    assert ids("## a\n##b\n### c\n#### d\n# e\n##\tf\n") == ["a", "f"]


def test_step_id_is_the_trimmed_heading_text():
    assert ids("##   Explore The Code  \n") == ["Explore The Code"]


@pytest.mark.parametrize(("line", "step_id", "id_span"), [
    ("## scan", "scan", Span(4, 3, 4, 7)),  # the usual heading: `## id` exactly
    ("##  scan", "scan", Span(4, 4, 4, 8)),
    ("## scan ", "scan", Span(4, 3, 4, 7)),
    ("##\tscan", "scan", Span(4, 3, 4, 7)),
    ("## scan it\u00a0", "scan it", Span(4, 3, 4, 10)),
    ("## \u00e9tape", "\u00e9tape", Span(4, 3, 4, 8)),
])
def test_a_heading_id_and_its_spans(line, step_id, id_span):
    step = wf(f"{line}\nrole: x\n").steps[0]
    assert (step.id, step.id_span, step.heading_span) == (step_id, id_span, Span(4, 0, 4, id_span.end))
    assert step.heading.raw == line


def test_bare_heading_takes_the_next_text_line():
    w = wf("##\n\nscan\nrole: explorer\n\nLook.\n")
    (step,) = w.steps
    assert (step.id, step.bare, step.heading_line, step.id_line) == ("scan", True, 4, 6)
    assert step.id_span == Span(6, 0, 6, 4) and step.heading_span == Span(4, 0, 4, 2)
    assert step.role == "explorer" and step.task == "Look."


def test_bare_heading_with_trailing_spaces():
    assert ids("##   \nscan\n") == ["scan"]


def test_bare_heading_at_the_end_is_nothing():
    assert ids("## a\n##\n\n") == ["a"]


def test_text_before_the_first_step_is_ignored():
    w = wf("Intro {goal}\n\n## a\nDo.\n")
    assert [s.task for s in w.steps] == ["Do."]


def test_fenced_code_is_not_respected():
    w = wf("## a\nrole: x\n\n```\n## b\n```\n")
    assert [(s.id, s.in_fence) for s in w.steps] == [("a", False), ("b", True)]


# Explicit headings.


def test_explicit_headings_keep_only_step_like_headings():
    w = wf("## plan\nrole: planner\n\nPlan.\n## Notes\nKeep it short.\n## notes\nlower\n## Read Me\nmore\n")
    assert [(s.id, s.explicit) for s in w.steps] == [("plan", True), ("notes", False)]
    assert [h.text for h in w.folded] == ["Notes", "Read Me"]
    assert w.steps[0].task == "Plan.\n## Notes\nKeep it short."
    assert w.steps[1].task == "lower\n## Read Me\nmore"


def test_without_explicit_headings_every_heading_is_a_step():
    w = wf("## Plan It\nroles: planner\n\nPlan.\n## Notes\nx\n")
    assert [(s.id, s.role, s.explicit) for s in w.steps] == [("Plan It", "Plan It", False), ("Notes", "Notes", False)]
    assert w.steps[0].meta["roles"].value == "planner"  # stored, but not a recognised key


def test_explicit_needs_a_recognised_key_on_the_first_non_blank_line():
    assert [s.explicit for s in wf("## a\n\n\nverify: true\n## B\ntext\n").steps] == [True]
    assert [s.explicit for s in wf("## a\ntext\nrole: x\n## b\n").steps] == [False, False]


# Metadata blocks.


def test_metadata_block_and_task():
    w = wf("## execute\n\nrole: executor\ndependsOn: plan, explore\noutput: false\nreads: a.md, b.md\nskills: false\n"
           "model: openai/gpt-5\nprogress: true\nworktree: false\nverify: True\nparallelGroup: g\n\nDo {goal}.\n\nMore.\n")
    s = w.steps[0]
    assert s.role == "executor"
    assert [i.text for i in s.depends_on] == ["plan", "explore"]
    assert s.output is None and [i.text for i in s.csv("reads")] == ["a.md", "b.md"] and s.csv("skills") == []
    assert (s.flag("progress"), s.flag("worktree"), s.flag("verify")) == (True, False, None)
    assert s.meta["model"].value == "openai/gpt-5" and s.meta["parallelGroup"].value == "g"
    assert s.task == "Do {goal}.\n\nMore." and s.task_start_line == 17
    assert s.meta["dependsOn"].value_span == Span(7, 11, 7, 24)


def test_any_key_is_stored_and_the_first_other_line_starts_the_task():
    s = wf("## plan\nrole: planner\nNote: be careful\nWrite a plan.\nnot: metadata any more\n").steps[0]
    assert set(s.meta) == {"role", "Note"}
    assert s.task == "Write a plan.\nnot: metadata any more"


@pytest.mark.parametrize("line", [" role: x", "role : x", "ro le: x", "role:x"])
def test_metadata_line_shape(line):
    s = wf(f"## a\nverify: true\n{line}\n").steps[0]
    stored = "role" in s.meta
    assert stored == (line == "role:x")


@pytest.mark.parametrize("first", ["role: x", "role: x  ", "  role: x", "\trole: x \t", "role:x", "Write it."])
@pytest.mark.parametrize("blank", ["", "\n", "\n  \n"])
def test_the_first_line_of_a_section_reads_the_same_whatever_its_spaces(first, blank):
    # (the explicit test hands its reading of the first line to the step when the line ends with no space)
    s = wf(f"## a{blank}\n{first}\noutput: o.md\n\nDo it.\n").steps[0]
    line = 5 + blank.count("\n")
    if first == "Write it.":
        assert (s.meta, s.task_start_line, s.task) == ({}, line, "Write it.\noutput: o.md\n\nDo it.")
        return
    role = s.meta["role"]
    assert (role.value, role.line, role.value_span.start, role.raw) == ("x", line, first.index("x"), first)
    assert (s.meta["output"].line, s.task_start_line, s.task) == (line + 1, line + 3, "Do it.")


def test_defaults():
    s = wf("## Explore Code\nrole:\noutput:\n").steps[0]
    assert (s.role, s.output, s.task, s.task_id) == ("Explore Code", "01_explore-code.md", "{goal}", "01_explore-code")
    assert s.depends_on == [] and s.csv("reads") is None


def test_task_key_used_when_there_is_no_text():
    s = wf("## a\nrole: x\ntask: Do {goal} now\n").steps[0]
    assert s.task == "Do {goal} now"
    s = wf("## a\nrole: x\ntask: ignored\n\nText wins.\n").steps[0]
    assert s.task == "Text wins."


def test_dependency_ids_may_contain_spaces():
    s = wf("## c\ndependsOn: explore plan, x\n").steps[0]
    assert [i.text for i in s.depends_on] == ["explore plan", "x"]


def test_max_concurrency_kept_only_if_at_least_one():
    assert parse_workflow(parse_document("---\nmaxConcurrency: 0\n---\n## a\n")).max_concurrency is None
    assert parse_workflow(parse_document("---\nmaxConcurrency: 3\n---\n## a\n")).max_concurrency == 3


# CRLF.


def test_crlf_without_frontmatter_loses_every_metadata_line_but_the_section_end():
    # the explicit test trims the first line (`role: planner\r` counts), so `## Notes` folds into `plan`
    w = wf("## plan\r\nrole: planner\r\noutput: p.md\r\n\r\nPlan.\r\n## Notes\r\nx\r\n", frontmatter=False)
    assert [(s.id, s.role, s.meta, s.explicit) for s in w.steps] == [("plan", "plan", {}, True)]
    assert w.steps[0].task == "role: planner\noutput: p.md\n\nPlan.\n## Notes\nx"
    # the section trim frees the section's last line of its `\r`: pi-crew reads `role: executor`
    w = wf("## plan\r\nrole: planner\r\n\r\nPlan.\r\n## execute\r\nrole: executor\r\n", frontmatter=False)
    assert [(s.role, list(s.meta)) for s in w.steps] == [("plan", []), ("executor", ["role"])]
    assert w.steps[1].meta["role"].value_span == Span(5, 6, 5, 14)


# Sections are trimmed as a whole, and lines start at a lone \r, U+2028, U+2029 (pi-crew's JavaScript regexes).


def test_an_indented_first_metadata_line_is_read_and_makes_the_heading_explicit():
    w = wf("## plan\n  role: planner\n\nMake a plan.\n\n## Notes\nKeep it short.")
    (step,) = w.steps  # pi-crew: one step, `## Notes` folds into it
    assert (step.id, step.role, step.explicit) == ("plan", "planner", True)
    assert step.task == "Make a plan.\n\n## Notes\nKeep it short."
    assert step.meta["role"].key_span == Span(5, 2, 5, 6) and step.meta["role"].value_span == Span(5, 8, 5, 15)
    assert [h.text for h in w.folded] == ["Notes"]


@pytest.mark.parametrize("brk", ["\r", "\u2028", "\u2029"])
def test_a_lone_line_break_starts_a_heading(brk):
    w = wf(f"Intro.{brk}## plan\nrole: planner\n\nPlan it.\n")
    (step,) = w.steps  # pi-crew: step `plan` with role `planner`
    assert (step.id, step.role, step.task, step.heading_line) == ("plan", "planner", "Plan it.", 4)
    assert step.heading_span == Span(4, 7, 4, 14) and step.id_span == Span(4, 10, 4, 14)


def test_a_lone_carriage_return_ends_the_heading_text_and_starts_its_section():
    w = wf("## plan\rrole: planner\n\nPlan it.\r## check\nrole: verifier\n")
    assert [(s.id, s.role, s.task) for s in w.steps] == [("plan", "planner", "Plan it."), ("check", "verifier", "{goal}")]
    assert w.steps[0].meta["role"].key_span == Span(4, 8, 4, 12)


def test_blank_lines_and_trims_are_javascript_ones():
    # U+0085 and U+001F are no whitespace for JavaScript: a line of them is text, not a blank line
    s = wf("## a\nrole: x\n\x85\nTask.\n").steps[0]
    assert s.task == "\x85\nTask." and s.task_start_line == 6
    s = wf("## a\n\ufeffTask \ufeff\n").steps[0]  # U+FEFF is trimmed
    assert s.task == "Task" and wf("##  \ufeffStep\ufeff\n").steps[0].id == "Step"


def test_crlf_without_frontmatter_keeps_only_empty_metadata_values():
    # JavaScript's `\s*` eats the \r of `role:\r`, but `.` cannot match the \r after a value
    w = wf("## a\r\nrole:\r\noutput: x.md\r\n\r\nText.\r\n## Notes\r\nn\r\n", frontmatter=False)
    (step,) = w.steps
    assert (step.explicit, step.role, list(step.meta)) == (True, "a", ["role"])
    assert step.meta["role"].value_span == Span(1, 5, 1, 5)
    assert step.task == "output: x.md\n\nText.\n## Notes\nn"


def test_crlf_with_frontmatter_is_normalised():
    text = "---\r\nname: w\r\n---\r\n## plan\r\nrole: planner\r\n\r\nPlan.\r\n"
    s = parse_workflow(parse_document(text)).steps[0]
    assert (s.role, s.task) == ("planner", "Plan.")
    assert s.meta["role"].value_span == Span(4, 6, 4, 13)


# Task ids.


@pytest.mark.parametrize(("index", "step", "expected"), [
    (0, "explore", "01_explore"),
    (1, "Code Review", "02_code-review"),
    (8, "a  b__c", "09_a-b-c"),
    (9, "--x--", "10_x"),
    (10, "!!!", "11_task"),
    (11, "Émile", "12_mile"),
    (99, "a", "100_a"),
])
def test_task_ids(index, step, expected):
    assert task_id(index, step) == expected


def test_step_ids_and_lookup():
    w = wf("## a\nrole: x\n## b\nrole: y\n")
    assert w.step("b").index == 1 and w.step("c") is None
    assert [s.task_id for s in w.steps] == ["01_a", "02_b"]
