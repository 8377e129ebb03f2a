import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrewNotificationsFeature } from '../src/crewFeature';

test('the client declares experimental.crewNotifications and crewRunEndMessages, keeping other experimental capabilities', () => {
  const capabilities = { experimental: { other: 1 } };
  new CrewNotificationsFeature().fillClientCapabilities(capabilities);
  // crewRunEndMessages: the extension shows how a run ended (with "Show Summary"), so the server does not
  assert.deepEqual(capabilities.experimental, { other: 1, crewNotifications: true, crewRunEndMessages: true });
});

test('the declaration works when there are no experimental capabilities yet', () => {
  const capabilities: { experimental?: unknown } = {};
  new CrewNotificationsFeature().fillClientCapabilities(capabilities);
  assert.deepEqual(capabilities.experimental, { crewNotifications: true, crewRunEndMessages: true });
});
