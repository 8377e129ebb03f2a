"""The `scaffold` runtime: nothing is executed. The prompt is already in prompts/<id>.md; the
result says so. It is the default when no worker is configured, and what `--dry-run` uses."""

from __future__ import annotations

from crew_lsp.engine.workers.base import Hooks, Job, WorkerResult


def scaffold_text(task_id: str) -> str:
    return (
        f"Execution is disabled (scaffold runtime): task {task_id} was not run.\n"
        f"Its prompt was written to prompts/{task_id}.md. Configure a worker "
        "(--runtime pi|command, CREW_RUNTIME or CREW_WORKER_COMMAND) to execute it.\n"
    )


class ScaffoldWorker:
    kind = "scaffold"

    async def run(self, job: Job, hooks: Hooks) -> WorkerResult:
        return WorkerResult("completed", scaffold_text(job.task_id))
