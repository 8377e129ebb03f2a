"""The pi-crew version the server reads files as: a setting, or detected from the pi settings, and
changing either re-checks the open files without a restart."""

from __future__ import annotations

import json

from lsprotocol import types as T

TOOLED = ".crew/agents/asker.md"
TOOLED_TEXT = "---\nname: asker\ndescription: Asks the user\ntools: read, ask\n---\nYou ask.\n"


async def _codes(session, rel: str) -> list[str]:
    return sorted(str(d.code) for d in await session.diagnostics(rel))


def _set_version(session, value: str) -> None:
    session.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"crew": {"piCrewVersion": value}}))


async def test_changing_the_version_setting_rechecks_open_files_without_restart(session):
    session.open(TOOLED, TOOLED_TEXT)
    await session.until(lambda: _codes(session, TOOLED), what="`ask` unknown as 0.2.0 reads it")
    assert await _codes(session, TOOLED) == ["CREW405"]
    _set_version(session, "0.10")
    await session.until(lambda: _is_clean(session, TOOLED), what="`ask` known as 0.10.1 reads it")
    _set_version(session, "0.2.0")
    await session.until(lambda: _codes(session, TOOLED), what="`ask` unknown again")


async def _is_clean(session, rel: str) -> bool:
    return await _codes(session, rel) == []


async def test_a_project_pin_in_pi_settings_is_picked_up_when_the_file_changes(session):
    session.open(TOOLED, TOOLED_TEXT)
    await session.until(lambda: _codes(session, TOOLED), what="`ask` unknown as 0.2.0 reads it")
    settings = ".pi/settings.json"
    session.path(settings).parent.mkdir(exist_ok=True)
    session.path(settings).write_text(json.dumps({"packages": ["npm:pi-crew@0.10.1"]}), encoding="utf-8")
    session.watched((settings, T.FileChangeType.Created))
    await session.until(lambda: _is_clean(session, TOOLED), what="the project's pin to be read")


async def test_a_bad_version_setting_is_ignored_with_a_warning(session):
    session.open(TOOLED, TOOLED_TEXT)
    await session.until(lambda: _codes(session, TOOLED), what="first diagnostics")
    _set_version(session, "newest")
    await session.until(lambda: [m for m in session.client.log_messages if "crew.piCrewVersion ignored" in m.message],
                        what="the warning about the setting")
    assert await _codes(session, TOOLED) == ["CREW405"]


async def test_a_version_newer_than_known_is_read_as_the_newest_and_said_once(session):
    settings = ".pi/settings.json"
    session.path(settings).parent.mkdir(exist_ok=True)
    session.path(settings).write_text(json.dumps({"packages": ["npm:pi-crew@9.0.0"]}), encoding="utf-8")
    session.watched((settings, T.FileChangeType.Created))
    told = await session.until(lambda: [m for m in session.client.messages if "9.0.0 is newer than crew-lsp knows" in m.message],
                               what="the information about the newer version")
    assert told[0].type == T.MessageType.Info
    session.open(TOOLED, TOOLED_TEXT)
    assert await _codes(session, TOOLED) == []
    session.watched((settings, T.FileChangeType.Changed))
    await session.barrier()
    assert len([m for m in session.client.messages if "9.0.0" in m.message]) == 1
