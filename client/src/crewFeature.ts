// Declares `experimental.crewNotifications` in the client capabilities: without it the server
// sends none of the `crew/*` notifications (run updates, heartbeats, health, metrics). And
// `experimental.crewRunEndMessages`: the extension says how each run ended itself (runEnd.ts, with a
// "Show Summary" button), so the server leaves out its own `window/showMessage` at a run's end.

import type { ClientCapabilities, FeatureState, StaticFeature } from 'vscode-languageclient';

export function declareCrewNotifications(capabilities: ClientCapabilities): void {
  const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
  capabilities.experimental = { ...experimental, crewNotifications: true, crewRunEndMessages: true };
}

export class CrewNotificationsFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    declareCrewNotifications(capabilities);
  }

  initialize(): void {
    // nothing to set up: the capability is all the server needs
  }

  getState(): FeatureState {
    return { kind: 'static' };
  }

  clear(): void {
    // holds no state
  }
}
