import { describe, expect, it } from 'vitest';
import { ecsOf } from '../../src/service/context.js';
import { memoryEcs } from '../support/memory-ports.js';
import { approvedAndRun, serviceRig, stock, submitted } from '../support/service-rig.js';

// The service side of issue 24: a request is never run with another account's credentials.

const ACCOUNTS = [
  { name: 'prod', channels: ['C0PROD'] },
  { name: 'staging', channels: [] },
];

describe('the account of a request in the service', () => {
  it('gives an account no longer configured a client that refuses every call, naming it', async () => {
    const ecs = memoryEcs({ now: () => new Date() });
    const gone = ecsOf({ ecs, ecsFor: () => undefined }, 'qa');
    await expect(
      gone.describeInstances({ region: 'cn-beijing', instanceIds: ['i-abcd1234'] }),
    ).rejects.toMatchObject({ code: 'AccountNotConfigured' });
    expect(ecsOf({ ecs }, undefined)).toBe(ecs);
    expect(ecsOf({ ecs }, 'default')).toBe(ecs);
    await expect(
      ecsOf({ ecs }, 'prod').findKeyPair({ region: 'cn-beijing', keyPairName: 'k' }),
    ).rejects.toMatchObject({ code: 'AccountNotConfigured' });
  });

  it('applies the account rules at submit, whatever the entry point', async () => {
    const rig = serviceRig({ settings: { accounts: ACCOUNTS } });
    const ids = stock(rig, 1);
    const draft = { instanceIds: ids, keyPairName: 'ops-key', region: 'cn-beijing' };
    const refused = await rig.service.submit({ draft, requesterId: 'UREQ', channelId: 'C0ELSE' });
    expect(refused).toMatchObject({
      ok: false,
      refusal: { reason: 'account_refused', problem: { kind: 'account_required' } },
    });
    const other = await rig.service.submit({
      draft: { ...draft, account: 'staging' },
      requesterId: 'UREQ',
      channelId: 'C0PROD',
    });
    expect(other).toMatchObject({
      ok: false,
      refusal: { problem: { kind: 'account_not_for_channel', mapped: 'prod' } },
    });
    const mapped = await rig.service.submit({ draft, requesterId: 'UREQ', channelId: 'C0PROD' });
    expect(mapped).toMatchObject({ ok: true, request: { account: 'prod' } });
  });

  it('refuses the follow-ups of a request whose account the bot no longer serves', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    const request = await submitted(rig, ids);
    await approvedAndRun(rig, request.id);
    // As if it had been made with ACCOUNTS_FILE listing qa, which is gone now.
    await rig.store.update(request.id, (r) => ({ ok: true, request: { ...r, account: 'qa' } }));
    const result = await rig.service.requestFollowUp({
      kind: 'restart',
      parentId: request.id,
      userId: 'UREQ',
    });
    expect(result).toMatchObject({
      ok: false,
      refusal: {
        reason: 'account_refused',
        problem: { kind: 'unknown_account', token: 'account=qa', names: ['default'] },
      },
    });
  });
});
