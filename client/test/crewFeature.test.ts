import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrewNotificationsFeature } from '../src/crewFeature';

test('the client declares experimental.crewNotifications, keeping other experimental capabilities', () => {
  const capabilities = { experimental: { other: 1 } };
  new CrewNotificationsFeature().fillClientCapabilities(capabilities);
  assert.deepEqual(capabilities.experimental, { other: 1, crewNotifications: true });
});

test('the declaration works when there are no experimental capabilities yet', () => {
  const capabilities: { experimental?: unknown } = {};
  new CrewNotificationsFeature().fillClientCapabilities(capabilities);
  assert.deepEqual(capabilities.experimental, { crewNotifications: true });
});
