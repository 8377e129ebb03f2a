// A tiny stand-in for the `vscode` module, enough for the UI modules under test: the test bundles
// alias `vscode` to this file. It records what the extension asks VS Code to show.

type Listener<T> = (value: T) => void;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    this.listeners.forEach((listener) => listener(value));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }

export interface ShownProgress {
  options: { title?: string; cancellable?: boolean; location: ProgressLocation };
  reports: { message?: string; increment?: number }[];
  cancel: () => void;
  closed: boolean;
}

export interface ShownMessage {
  severity: 'information' | 'warning';
  message: string;
  items: string[];
}

/** What the extension showed; `answer` is the item the person picks from the next message (none: dismissed). */
export const shown = { progress: [] as ShownProgress[], errors: [] as string[], messages: [] as ShownMessage[], answer: undefined as string | undefined };

export const window = {
  withProgress<R>(
    options: ShownProgress['options'],
    task: (progress: { report: (value: { message?: string; increment?: number }) => void }, token: { onCancellationRequested: (l: () => void) => void }) => Promise<R>,
  ): Promise<R> {
    const cancelListeners: (() => void)[] = [];
    const entry: ShownProgress = { options, reports: [], cancel: () => cancelListeners.forEach((l) => l()), closed: false };
    shown.progress.push(entry);
    // VS Code starts the task a little later than the call: so does the stand-in
    return Promise.resolve().then(() =>
      task({ report: (value) => entry.reports.push(value) }, { onCancellationRequested: (listener) => cancelListeners.push(listener) }),
    ).finally(() => (entry.closed = true));
  },
  showErrorMessage(message: string): Promise<undefined> {
    shown.errors.push(message);
    return Promise.resolve(undefined);
  },
  showInformationMessage(message: string, ...items: string[]): Promise<string | undefined> {
    shown.messages.push({ severity: 'information', message, items });
    return Promise.resolve(shown.answer);
  },
  showWarningMessage(message: string, ...items: string[]): Promise<string | undefined> {
    shown.messages.push({ severity: 'warning', message, items });
    return Promise.resolve(shown.answer);
  },
};
