"""`crew.newSkill` (docs/editor.md, New skill): the edit the editor applies, the file it makes (which
checks clean), a second call that refuses and changes nothing, and clients that cannot create files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from lsp_harness import start_session, stop_session
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

INVALID_PARAMS, REQUEST_FAILED = -32602, -32803
FILES = {".crew/agents/scribe.md": "---\nname: scribe\ndescription: Writes\n---\nYou write.\n"}
SKILL = "skills/house-style/SKILL.md"


class Editor:
    """What an editor does with `workspace/applyEdit`: creates the file (refusing one that exists, as
    `overwrite: false` asks), inserts the text, and saves."""

    def __init__(self) -> None:
        self.asked: list[T.ApplyWorkspaceEditParams] = []

    def apply(self, params: T.ApplyWorkspaceEditParams) -> T.ApplyWorkspaceEditResult:
        self.asked.append(params)
        for change in params.edit.document_changes or []:
            path = Path(unquote(urlparse(change.uri if isinstance(change, T.CreateFile) else change.text_document.uri).path))
            if isinstance(change, T.CreateFile):
                if path.exists() and not change.options.overwrite:
                    return T.ApplyWorkspaceEditResult(applied=False, failure_reason=f"{path.name} exists")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("")
            else:
                (edit,) = change.edits
                assert (edit.range.start.line, edit.range.start.character) == (0, 0)
                path.write_text(edit.new_text + path.read_text())
        return T.ApplyWorkspaceEditResult(applied=True)


async def _error(s, args) -> JsonRpcException:
    with pytest.raises(JsonRpcException) as err:
        await s.command("crew.newSkill", args)
    return err.value


async def test_the_editor_applies_a_file_creation_the_file_checks_clean_and_a_second_call_changes_nothing(tmp_path):
    s = await start_session(tmp_path, "vscode", FILES)
    editor = Editor()
    s.client.apply_edit_with = editor.apply
    try:
        result = await s.command("crew.newSkill", {"name": "house-style", "template": "code-review"})
        path = s.path(SKILL)
        assert result == {"uri": s.uri(SKILL), "path": str(path)}
        (asked,) = editor.asked
        create = asked.edit.document_changes[0]
        assert isinstance(create, T.CreateFile) and create.options.overwrite is False and not create.options.ignore_if_exists
        text = path.read_text()
        assert text.startswith("---\nname: house-style\ndescription: Review a change") and "## Rules" in text
        s.open(SKILL)
        assert await s.diagnostics(SKILL) == []

        err = await _error(s, {"name": "house-style", "template": "testing"})
        assert err.code == INVALID_PARAMS and "argument `name`" in err.message and "already exists" in err.message
        assert len(editor.asked) == 1 and path.read_text() == text
    finally:
        await stop_session(s)


async def test_an_edit_the_editor_declines_is_a_request_failed_error_saying_why(tmp_path):
    s = await start_session(tmp_path, "vscode", FILES)
    s.client.apply_edit_with = lambda params: T.ApplyWorkspaceEditResult(applied=False, failure_reason="the user said no")
    try:
        err = await _error(s, {"name": "declined"})
        assert err.code == REQUEST_FAILED and "the user said no" in err.message
        assert not s.path("skills/declined").exists()
    finally:
        await stop_session(s)


async def test_a_client_that_cannot_create_files_gets_the_file_written_directly(tmp_path):
    s = await start_session(tmp_path, "emacs", FILES)  # no `create` resource operation
    try:
        result = await s.command("crew.newSkill", {"name": "notes", "description": "Keep notes: short ones"})
        path = s.path("skills/notes/SKILL.md")
        assert result["path"] == str(path)
        assert path.read_text().startswith('---\nname: notes\ndescription: "Keep notes: short ones"\n---\n# notes\n')
    finally:
        await stop_session(s)


@pytest.mark.parametrize(("args", "message"), [
    ({}, "argument `name` is required"),
    ({"name": "Bad Name"}, "argument `name`: `Bad Name` is not a skill name"),
    ({"name": "ok", "template": "linting"}, "argument `template`: `linting` is not a skill template"),
    ({"name": "ok", "description": "one\ntwo"}, "argument `description`: must be one line"),
    ({"name": "ok", "vars": {}}, "argument `vars` is not a known argument"),
])
async def test_bad_arguments_are_invalid_params_naming_the_argument(tmp_path, args, message):
    s = await start_session(tmp_path, "emacs", FILES)
    try:
        err = await _error(s, args)
        assert err.code == INVALID_PARAMS and message in err.message, err.message
        assert not s.path("skills").exists()
    finally:
        await stop_session(s)
