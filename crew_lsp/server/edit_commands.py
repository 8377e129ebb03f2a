"""Commands that propose file changes: the AGENTS.md guidance block and the export to other agent tools.

Each builds a WorkspaceEdit and nothing else: no file is written by the server. With `apply` (the
default) the edit is sent to the client in a `workspace/applyEdit` request — labelled, and marked as
needing confirmation when the client can preview edits, so the user sees it before it lands and can
undo it — and the result says whether the client applied it. With `apply: false` the edit is only
returned. These commands run no program, so they are allowed in untrusted workspaces.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from lsprotocol import types as T
from pydantic import Field
from pygls.exceptions import JsonRpcException

from crew_lsp.resources.loader import Loader
from crew_lsp.server.commands import Args, command
from crew_lsp.server.convert import workspace_edit
from crew_lsp.server.errors import REQUEST_FAILED

if TYPE_CHECKING:
    from crew_lsp.language.types import WorkspaceEdit
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session

ANNOTATION = "crew"
PathArg = Field(None, min_length=1, max_length=4096)
BlockId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


class GuidanceUpdateArgs(Args):
    path: str | None = PathArg  # default: AGENTS.md at the repository root
    apply: bool = True


class GuidanceRemoveArgs(GuidanceUpdateArgs):
    ids: list[BlockId] | None = Field(None, min_length=1, max_length=100)  # default: our block


class ExportArgs(Args):
    target: Literal["claude", "cursor", "codex"]
    path: str | None = PathArg  # one agent, team, workflow or SKILL.md; default: every project resource
    apply: bool = True


def _refused(message: str) -> JsonRpcException:
    return JsonRpcException(code=REQUEST_FAILED, message=message)


async def _folder(session: Session, path: str | None) -> tuple[Folder, Path | None]:
    """The folder a path argument belongs to (the first folder without one), and the path resolved in it."""
    folders = list(session.project.folders)
    if not folders:
        raise _refused("no workspace folder is open")
    if path is None:
        folder = folders[0]
        resolved = None
    else:
        candidate = Path(path).expanduser()
        if not candidate.is_absolute():
            candidate = folders[0].ws.repo / candidate
        resolved = Path(_normal(candidate))
        folder = next((f for f in folders if _inside(resolved, f.ws.repo) or _inside(resolved, f.ws.folder)), None)
        if folder is None:
            raise _refused(f"`{path}` is outside the workspace: only files of the workspace are changed")
    if not await session.folder_ready(folder):
        raise _refused("the workspace is still being indexed; try again in a moment")
    return folder, resolved


def _normal(path: Path) -> str:
    return os.path.normpath(str(path))  # `..` resolved lexically: a symlink is judged by the loader


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def current_text(session: Session, folder: Folder, path: str) -> str | None:
    """The editor's text of an open document, else the file on disk (None when there is none)."""
    doc = session.docs.get(path)
    if doc is not None:
        return doc.text
    loaded = Loader(folder.ws.boundaries()).load(path)
    if loaded.problem is not None:
        raise _refused(f"{path} cannot be changed: {loaded.problem.message}")
    return loaded.text


def _check_targets(folder: Folder, edit: WorkspaceEdit) -> None:
    """Every file the edit touches lies inside the repository, and is reached through no symlink leaving it."""
    repo = os.path.realpath(folder.ws.repo)
    for path in [*edit.changes, *(p for p, _text in edit.creates)]:
        if os.path.islink(path) or not _inside(Path(os.path.realpath(os.path.dirname(path))), Path(repo)):
            raise _refused(f"{path} lies behind a symlink leaving the workspace: not changed")


async def propose(session: Session, folder: Folder, edit: WorkspaceEdit, label: str, apply: bool) -> dict[str, Any]:
    """`{edit, applied}`: the edit as LSP JSON (None when nothing changes), sent for applying when asked."""
    if not edit.changes and not edit.creates:
        return {"edit": None, "applied": False}
    _check_targets(folder, edit)
    versions = {path: doc.version for path, doc in session.docs.items()}
    lsp = workspace_edit(edit, session.uris, session.client, versions)
    if lsp is None:
        raise _refused("this editor cannot create files through an edit (workspace.workspaceEdit.resourceOperations)")
    if session.client.change_annotations:
        lsp = _needs_confirmation(lsp, label)
    applied = False
    if apply and session.client.apply_edit:
        answer = await session.request(T.WORKSPACE_APPLY_EDIT, T.ApplyWorkspaceEditParams(edit=lsp, label=label))
        applied = bool(getattr(answer, "applied", False))
    return {"edit": session.converter.unstructure(lsp), "applied": applied}


def _needs_confirmation(edit: T.WorkspaceEdit, label: str) -> T.WorkspaceEdit:
    """The same edit with every change annotated: the client shows it for confirmation first."""
    changes: list[Any] = []
    for change in edit.document_changes or []:
        if isinstance(change, T.TextDocumentEdit):
            change = T.TextDocumentEdit(text_document=change.text_document, edits=[
                T.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=ANNOTATION) for e in change.edits])
        elif isinstance(change, T.CreateFile):
            change = T.CreateFile(uri=change.uri, options=change.options, annotation_id=ANNOTATION)
        changes.append(change)
    return T.WorkspaceEdit(document_changes=changes,
                           change_annotations={ANNOTATION: T.ChangeAnnotation(label=label, needs_confirmation=True)})


# ---------------------------------------------------------------- the AGENTS.md guidance block

async def _guidance_target(session: Session, given: str | None) -> tuple[Folder, str]:
    folder, path = await _folder(session, given)
    target = path if path is not None else folder.ws.guidance_file()
    if target.suffix.lower() != ".md":
        raise _refused(f"`{given}` is not a markdown file")
    return folder, str(target)


@command("crew.guidance.update", GuidanceUpdateArgs)
async def guidance_update(session: Session, args: GuidanceUpdateArgs) -> dict[str, Any]:
    """Insert or refresh our block (the teams and agents of the workspace) in the guidance section."""
    from crew_lsp.language.guidance import GuidanceRefused, update_edit, workspace_guidance

    folder, path = await _guidance_target(session, args.path)
    text = await asyncio.to_thread(current_text, session, folder, path)
    try:
        edit = update_edit(path, text, workspace_guidance(folder.snapshot))
    except GuidanceRefused as exc:
        raise _refused(f"{Path(path).name}: {exc}") from None
    return {"path": path, **await propose(session, folder, edit, f"Update the crew guidance block of {Path(path).name}", args.apply)}


@command("crew.guidance.remove", GuidanceRemoveArgs)
async def guidance_remove(session: Session, args: GuidanceRemoveArgs) -> dict[str, Any]:
    """Remove blocks (ours by default) from the guidance section; the section goes when it is left empty."""
    from crew_lsp.language.guidance import GuidanceRefused, remove_edit

    folder, path = await _guidance_target(session, args.path)
    text = await asyncio.to_thread(current_text, session, folder, path)
    try:
        edit = remove_edit(path, text, args.ids)
    except GuidanceRefused as exc:
        raise _refused(f"{Path(path).name}: {exc}") from None
    return {"path": path, **await propose(session, folder, edit, f"Remove crew guidance from {Path(path).name}", args.apply)}



# ---------------------------------------------------------------- export to other agent tools

EXPORTABLE = ("agent", "team", "workflow", "skill")


@command("crew.export", ExportArgs)
async def export_resources(session: Session, args: ExportArgs) -> dict[str, Any]:
    """Files for Claude Code, Cursor or Codex from one resource, or from every project resource."""
    from crew_lsp.language.export import TARGETS, export

    folder, path = await _folder(session, args.path)
    snap = folder.snapshot
    if path is None:
        resources = [r for r in snap.resources.values() if r.scope == "project" and r.kind in EXPORTABLE and folder.reported(r.path)]
    else:
        res = snap.resources.get(str(path))
        if res is None or res.kind not in EXPORTABLE:
            raise _refused(f"`{args.path}` is no agent, team, workflow or skill of the workspace")
        resources = [res]
    from crew_lsp.language.guidance import GuidanceRefused

    try:
        result = export(args.target, resources, str(folder.ws.repo), lambda p: current_text(session, folder, p))
    except GuidanceRefused as exc:  # the codex export writes a block of AGENTS.md
        raise _refused(f"AGENTS.md: {exc}") from None
    what = Path(resources[0].path).name if len(resources) == 1 else f"{len(resources)} resources"
    proposed = await propose(session, folder, result.edit, f"Export {what} to {TARGETS[args.target]}", args.apply)
    return {**proposed, "files": sorted(result.files), "dropped": [d.as_dict() for d in result.dropped]}
