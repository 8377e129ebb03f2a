"""The skill templates (docs/editor.md, New skill): five starting points for a `SKILL.md`.

One definition serves both uses: `crew.newSkill` / `crew-lsp skills new` write a template with every
slot at its default (resources/skill_new.py), and completion in an empty `SKILL.md` offers it as a
snippet whose slots are tab stops, with their choices (language/completion_skill.py).

A template's guardrails are written out as its **Rules** section: they are instructions the agent
reads, so they must be in the file, not only in the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Slot:
    """A place the author fills in: ``{name}`` in the text. The file gets ``default``; the snippet
    offers the default and ``choices`` (a choice list), or a placeholder with the default text."""

    default: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillTemplate:
    id: str
    title: str  # the heading, and the label of the completion item
    description: str  # the frontmatter description when none is given
    purpose: str  # the paragraph under the heading
    steps: tuple[str, ...]
    rules: tuple[str, ...]
    slots: dict[str, Slot] = field(default_factory=dict)


_SEVERITIES = ("low", "medium", "high", "critical")

TEMPLATES: dict[str, SkillTemplate] = {t.id: t for t in (
    SkillTemplate(
        id="code-review",
        title="Code review",
        description="Review a change for correctness, security, tests and readability, and report findings by severity",
        purpose="Review the change in {language}, with attention to {focus}. Report findings of severity "
                "{threshold} and above.",
        steps=(
            "Read the whole change before commenting: the diff, the code around it and the tests it touches.",
            "Check the behaviour: inputs, edge cases, error paths, concurrency and resource cleanup.",
            "Check what the change does to its callers, to data on disk and to public interfaces.",
            "Report each finding with its file and line, its severity, what goes wrong and a concrete fix.",
        ),
        rules=(
            "Do not edit files: this skill reviews, it does not fix.",
            "Every finding names the file and line it is about and the evidence for it.",
            "Keep facts (you read or ran it) apart from suspicions (you did not verify them).",
            "When nothing reaches the threshold, say so; never invent findings to fill the report.",
        ),
        slots={
            "language": Slot("the languages the change touches", ("Python", "TypeScript", "Go", "Rust", "Java")),
            "focus": Slot("correctness, security, tests and readability"),
            "threshold": Slot("medium", _SEVERITIES),
        },
    ),
    SkillTemplate(
        id="testing",
        title="Testing",
        description="Write and run tests that pin down behaviour, one behaviour per test, arranged, acted and asserted",
        purpose="Write {kind} tests with {framework}. Aim for {coverage}% line coverage of the code you change.",
        steps=(
            "Find how the project runs its tests and run the relevant ones before changing anything.",
            "Write each test as arrange, act, assert, with one behaviour per test and a name that states it.",
            "Run the new tests and watch them fail for the right reason before the fix, then pass after it.",
            "Run the wider suite and report the commands, their results and the coverage you reached.",
        ),
        rules=(
            "Do not mock the code under test; fake only what it talks to.",
            "Never wait with a fixed sleep: wait for the event the test is about.",
            "Do not weaken, skip or delete an existing test to make the suite pass.",
            "Report a failure you could not explain instead of retrying until it passes.",
        ),
        slots={
            "framework": Slot("the project's test framework", ("pytest", "Jest", "Vitest", "go test", "JUnit")),
            "kind": Slot("unit", ("unit", "integration", "end-to-end")),
            "coverage": Slot("80"),
        },
    ),
    SkillTemplate(
        id="security-audit",
        title="Security audit",
        description="Audit code for security weaknesses along a named framework and report evidence-backed findings",
        purpose="Audit {scope} against {framework}. Report findings of severity {threshold} and above.",
        steps=(
            "Map the entry points and the trust boundaries: who can send what, and where it goes.",
            "Trace untrusted input to where it is used: queries, shell commands, file paths, templates, deserialisation.",
            "Check authentication, authorisation and how secrets are stored, logged and passed on.",
            "Check dependencies and configuration for known weaknesses and unsafe defaults.",
            "Report each finding with its category, severity, evidence (file and line) and a fix.",
        ),
        rules=(
            "Read and analyse only: never exploit a finding against a running system.",
            "Never print a secret you find; give its file and line and the kind of secret it is.",
            "Send no project data anywhere: no uploads, no external scanners.",
            "List what you did not check, so the report is not read as complete when it is not.",
        ),
        slots={
            "scope": Slot("the whole repository"),
            "framework": Slot("the OWASP Top 10", ("the OWASP Top 10", "the OWASP ASVS", "the CWE Top 25")),
            "threshold": Slot("medium", _SEVERITIES),
        },
    ),
    SkillTemplate(
        id="refactor",
        title="Refactor",
        description="Restructure code in small, tested steps without changing what it does",
        purpose="Refactor {scope} to {goal}, keeping this constraint: {constraints}.",
        steps=(
            "Run the tests before the first change and note the result.",
            "Change in small steps, each of which leaves the code building and working.",
            "Run the tests after every step; commit or record each step that passes.",
            "Summarise what moved where and why, so a reviewer can follow the steps.",
        ),
        rules=(
            "Behaviour does not change: no new features and no bug fixes mixed into the refactor.",
            "Stop and report when a step breaks the tests and the cause is not obvious; do not pile on changes.",
            "Leave code outside the scope alone, however tempting the clean-up.",
        ),
        slots={
            "scope": Slot("the code named in the task"),
            "goal": Slot("make it easier to read and change"),
            "constraints": Slot("every public interface stays as it is"),
        },
    ),
    SkillTemplate(
        id="documentation",
        title="Documentation",
        description="Write documentation that matches what the code does today, for a named audience",
        purpose="Write {format} documentation for {audience}, {detail}.",
        steps=(
            "Find the documentation that exists and the style it uses before writing anything.",
            "Read or run the code to learn what it does now; note what surprised you.",
            "Write the task first and the reference after: what the reader wants to do, then the details.",
            "Check every example and command by running it.",
        ),
        rules=(
            "Describe what the code does now; never present planned behaviour as present.",
            "Every example is one you ran, shown with its real output.",
            "Keep to the project's existing format, terms and tone.",
        ),
        slots={
            "format": Slot("Markdown", ("Markdown", "reStructuredText", "docstring", "AsciiDoc")),
            "audience": Slot("developers new to the project", ("developers new to the project", "users of the tool",
                                                                "operators", "maintainers")),
            "detail": Slot("concise and task-oriented", ("concise and task-oriented", "detailed, with background",
                                                         "a complete reference")),
        },
    ),
)}

TEMPLATE_IDS = tuple(TEMPLATES)
