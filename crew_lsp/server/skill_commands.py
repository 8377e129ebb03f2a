"""`crew.newSkill {name, template?, description?}` (docs/editor.md, New skill): a new `SKILL.md` in the
first workspace folder's project skill root, from a template or as a short skeleton.

The file is proposed to the editor as a `workspace/applyEdit` — create the file, insert its text — so
it opens like any edit, can be undone and is saved by the user. A client that cannot apply a file
creation (no `workspace.applyEdit`, or no `create` resource operation) gets the file written directly,
exactly as `crew-lsp skills new` writes it. Either way an existing file is never touched, a bad
argument is an InvalidParams error naming it, and the answer is `{uri, path}`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pydantic import Field
from pygls.exceptions import JsonRpcInvalidParams

from crew_lsp.resources.skill_new import (
    MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, NewSkillError, check_description, check_name, check_template, render_skill,
    skill_file, write_skill_file,
)
from crew_lsp.server.commands import Args, command
from crew_lsp.server.errors import request_failed

if TYPE_CHECKING:
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session

COMMAND = "crew.newSkill"


class NewSkillArgs(Args):
    # bounded here, judged by resources/skill_new.py (the rules `crew-lsp skills new` applies too)
    name: str = Field(max_length=MAX_NAME_CHARS * 4)
    template: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS * 4)


def _first_folder(session: Session) -> Folder:
    folders = session.runs.folders() if session.runs is not None else [f for f in session.project.folders if not f.implicit]
    if not folders:
        raise request_failed(f"{COMMAND}: no workspace folder is open")
    return folders[0]


def _creation(uri: str, text: str) -> T.WorkspaceEdit:
    """Create the file (failing if it exists, so nothing is ever overwritten), then insert its text."""
    return T.WorkspaceEdit(document_changes=[
        T.CreateFile(uri=uri, options=T.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
        T.TextDocumentEdit(text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                           edits=[T.TextEdit(range=T.Range(T.Position(0, 0), T.Position(0, 0)), new_text=text)]),
    ])


@command(COMMAND, NewSkillArgs)
async def new_skill(session: Session, args: NewSkillArgs) -> dict[str, Any]:
    folder = _first_folder(session)
    ws = folder.ws
    try:
        name, template, description = check_name(args.name), check_template(args.template), check_description(args.description)
        path = await asyncio.to_thread(skill_file, ws.folder, ws.skill_roots()[0][1], name)
    except NewSkillError as exc:
        raise JsonRpcInvalidParams(message=f"{COMMAND}: argument `{exc.argument}`: {exc}") from None
    text = render_skill(name, template, description)
    uri = session.uris.uri(str(path))
    client = session.client
    if client.apply_edit and client.can_create:
        params = T.ApplyWorkspaceEditParams(edit=_creation(uri, text), label=f"New skill {name}")
        answer = await session.request(T.WORKSPACE_APPLY_EDIT, params)
        if not getattr(answer, "applied", False):
            reason = getattr(answer, "failure_reason", None) or "it gave no reason"
            raise request_failed(f"{COMMAND}: the editor did not create {path}: {reason}")
    else:
        try:
            await asyncio.to_thread(write_skill_file, path, text)
        except NewSkillError as exc:
            raise JsonRpcInvalidParams(message=f"{COMMAND}: argument `{exc.argument}`: {exc}") from None
        except OSError as exc:
            raise request_failed(f"{COMMAND}: cannot write {path}: {exc}") from None
    return {"uri": uri, "path": str(path)}
