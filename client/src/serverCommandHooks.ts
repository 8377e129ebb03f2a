// What the extension adds when vscode-languageclient runs one of the server's own `crew.*` commands
// (a code lens "Run team", "Run with <team>" or "Preview plan"): a goal asked for when a lens run has
// none, and the run it starts or continues, so that run gets its progress notification, its end
// message and its title. Pure, unit-tested; server.ts wires it as command middleware.

const RUN_COMMANDS: Record<string, string> = { 'crew.run': 'run', 'crew.resume': 'resume', 'crew.retry': 'retry', 'crew.recover': 'recover' };

interface CommandArguments {
  team?: string;
  workflow?: string;
  goal?: string;
  runId?: string;
  fromLens?: boolean;
}

function argumentsOf(args: readonly unknown[]): CommandArguments {
  const [first] = args;
  return first && typeof first === 'object' ? (first as CommandArguments) : {};
}

/** A lens's `crew.run` carries no goal: the person is asked for one before it is sent. */
export function lensNeedsGoal(command: string, args: readonly unknown[]): boolean {
  const given = argumentsOf(args);
  return command === 'crew.run' && given.fromLens === true && !given.goal?.trim();
}

/** The run a command's answer names, when the command starts or continues one. */
export function startedRun(command: string, args: readonly unknown[], result: unknown): { runId: string; title: string } | undefined {
  const kind = RUN_COMMANDS[command];
  const runId = result && typeof result === 'object' ? (result as { runId?: unknown }).runId : undefined;
  if (!kind || typeof runId !== 'string') return undefined;
  if (kind !== 'run') return { runId, title: `Crew: ${kind} ${runId}` };
  const given = argumentsOf(args);
  const name = [given.team, given.workflow].filter(Boolean).join('/') || runId;
  return { runId, title: given.goal?.trim() ? `Crew: ${name} — ${given.goal.trim()}` : `Crew: ${name}` };
}
