"""Runs interrupted by a previous process (docs/runs.md, Reliability): the user is asked whether to resume them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types as T

if TYPE_CHECKING:
    from crew_lsp.engine.manager import RunManager

ACCEPT, DECLINE = "Accept", "Decline"


class RunRecovery:
    """The crash-recovery part of `RunService` (uses its `session`, `notifier`, `closing`, folders and managers)."""

    async def startup(self) -> None:
        """Interrupted runs of a previous process (docs/runs.md, Reliability): the user decides, whatever a config
        says — window/showMessageRequest with Accept/Decline when the client can answer, else a
        warning pointing at crew.recover. Never resumed unasked: the run's goal, tasks and manifest
        come from the workspace, which a cloned repository controls."""
        if not self.session.settings.trustedWorkspace:
            return
        for folder in self.folders():
            if folder.implicit or not await asyncio.to_thread((folder.ws.crew / "state" / "runs").is_dir):
                continue
            if not await self.session.folder_ready(folder):
                continue
            mgr = await self.manager(folder)
            try:
                pending = await mgr.interrupted()
            except Exception as exc:
                self.session.log_error(f"looking for interrupted runs in {folder.path} failed", exc)
                continue
            if not pending:
                continue
            if self._can_ask():
                for plan in pending:
                    self.session.spawn(self._ask(mgr, plan))
            else:
                ids = ", ".join(p["runId"] for p in pending)
                self.notifier.show(T.MessageType.Warning, f"crew: {len(pending)} interrupted run(s) found: {ids}. "
                                                          "Resume or decline with crew.recover {runId, accept}.")

    def _can_ask(self) -> bool:
        return self.session.client.show_message_request

    async def _ask(self, mgr: RunManager, plan: dict) -> None:
        run_id = plan["runId"]
        done, total = len(plan.get("completed", [])), sum(len(plan.get(k, [])) for k in ("completed", "requeue", "queued"))
        params = T.ShowMessageRequestParams(
            type=T.MessageType.Warning,
            message=(f"crew: the run {run_id} ({plan.get('team')}/{plan.get('workflow')}) was interrupted with "
                     f"{done}/{total} tasks completed. Resume it with your worker settings? (Decline cancels it.)"),
            actions=[T.MessageActionItem(title=ACCEPT), T.MessageActionItem(title=DECLINE)],
        )
        request = self.session.request(T.WINDOW_SHOW_MESSAGE_REQUEST, params)
        try:
            answer = await asyncio.shield(request)  # never cancel a wait on the client's answer
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.session.log(f"crew-lsp: window/showMessageRequest failed: {exc}")
            return
        title = getattr(answer, "title", None) if answer is not None else None
        if title not in (ACCEPT, DECLINE) or self.closing:
            return  # dismissed: the run stays interrupted (asked again next time, or crew.recover)
        if title == ACCEPT and not self.session.settings.trustedWorkspace:
            return
        from crew_lsp.engine.config import WorkerConfigError
        from crew_lsp.engine.manager import RunStateError

        try:
            await mgr.recover(run_id, title == ACCEPT)
        except (WorkerConfigError, RunStateError) as exc:  # e.g. no worker configured: say so
            self.notifier.show(T.MessageType.Warning, f"crew: cannot resume {run_id}: {exc} "
                                                      "(set crew.worker.runtime / crew.worker.command in the user settings)")
            return
        except Exception as exc:
            self.session.log_error(f"recovering {run_id} failed", exc)
            return
        await self.follow_active(mgr, run_id)
