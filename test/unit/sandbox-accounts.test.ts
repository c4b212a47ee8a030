import { describe, expect, it } from 'vitest';
import { accountFleet, SANDBOX_FLEET } from '../../src/sandbox/fleet.js';
import { createSandboxTransport } from '../../src/sandbox/transport.js';

// ACCOUNTS_FILE in sandbox mode (issue 24): each account a fleet of its own, the same every start.

describe('sandbox fleets by account', () => {
  it('gives each account its own deterministic fleet, and default the usual one', async () => {
    const first = SANDBOX_FLEET[0];
    if (!first) throw new Error('the sandbox fleet is empty');
    const prod = createSandboxTransport({ latencyMs: 0, account: 'prod' });
    const staging = createSandboxTransport({ latencyMs: 0, account: 'staging' });
    const plain = createSandboxTransport({ latencyMs: 0 });
    const prodFirst = accountFleet('prod')[0];
    const stagingFirst = accountFleet('staging')[0];
    expect(prodFirst?.instanceId).not.toBe(stagingFirst?.instanceId);
    expect(accountFleet('prod')).toEqual(accountFleet('prod'));
    expect(prod.inventory.instance(prodFirst?.instanceId ?? '')?.name).toBe(`prod-${first.name}`);
    expect(prod.inventory.instance(stagingFirst?.instanceId ?? '')).toBeUndefined();
    expect(staging.inventory.instance(stagingFirst?.instanceId ?? '')).toBeDefined();
    expect(prod.inventory.instance(first.instanceId)).toBeUndefined();
    expect(plain.inventory.instance(first.instanceId)?.name).toBe(first.name);
    expect(prod.inventory.instance(prodFirst?.instanceId ?? '')?.tags).toContainEqual({
      key: 'account',
      value: 'prod',
    });
    await Promise.all([prod.close(), staging.close(), plain.close()]);
  });
});
