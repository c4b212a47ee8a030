import { describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../src/domain/fingerprint.js';
import { serviceRig, stock, submitted } from '../support/service-rig.js';

describe('submit', () => {
  it('stores a pending attach with its preview, fingerprint, plan and card, and audits it', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 3);
    rig.ecs.addKeyPair({ keyPairId: 'kp-old00001', keyPairName: 'old-key', fingerprint: 'dd:ee' });
    const first = rig.ecs.instances.get(ids[0] as string);
    if (first) Object.assign(first, { keyPairId: 'kp-old00001', keyPairName: 'old-key' });

    const request = await submitted(rig, ids);
    expect(request).toMatchObject({
      kind: 'attach',
      status: 'pending',
      card: { channel: 'C0OPS', ts: expect.any(String) },
      expiresAt: '2026-11-28T10:00:00.000Z',
      approval: { required: 1, rules: [], approvals: [] },
      fingerprint: expect.stringMatching(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/),
    });
    expect(request.preview?.keyPair).toEqual({
      keyPairId: 'kp-ops00001',
      keyPairName: 'ops-key',
      fingerprint: 'aa:bb:cc',
    });
    expect(request.preview?.instances.map((i) => [i.instanceId, i.keyPairName])).toEqual([
      [ids[0], 'old-key'],
      [ids[1], undefined],
      [ids[2], undefined],
    ]);
    expect(request.steps.map((s) => [s.action, s.phase, s.instanceIds.length, s.state])).toEqual([
      ['AttachKeyPair', 0, 3, 'planned'],
      ['Verify', 0, 3, 'planned'],
    ]);
    expect(request.steps[0]?.clientToken).toBe(`${request.id}-b0`);
    // The batch's read-back names it, and runs as soon as it is answered.
    expect(request.steps[1]?.verifies).toBe(0);
    expect(rig.audit.events.map((e) => e.type)).toEqual(['requested']);
    expect(rig.audit.events[0]).toMatchObject({ fingerprint: request.fingerprint, kind: 'attach' });
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(0);
  });

  it('freezes the key pair the preview found by its id, and fingerprints its key', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 2);
    const request = await submitted(rig, ids, 'UREQ', 'ops-key');
    expect(request).toMatchObject({ keyPairName: 'ops-key', keyPairId: 'kp-ops00001' });
    expect(request.steps[0]).toMatchObject({ action: 'AttachKeyPair', keyPairId: 'kp-ops00001' });
    expect(request.fingerprint).toBe(
      requestFingerprint({
        kind: 'attach',
        region: 'cn-beijing',
        keyPairName: 'ops-key',
        keyPairId: 'kp-ops00001',
        keyFingerprint: 'aa:bb:cc',
        instanceIds: ids,
      }),
    );
    // Another key behind the same name and id would be another approval.
    expect(request.fingerprint).not.toBe(
      requestFingerprint({
        kind: 'attach',
        region: 'cn-beijing',
        keyPairName: 'ops-key',
        keyPairId: 'kp-ops00001',
        keyFingerprint: 'ff:ff:ff',
        instanceIds: ids,
      }),
    );
  });

  it('refuses the sixth pending request of one requester, listing the five (MAX_OPEN_REQUESTS_PER_USER)', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await submitted(rig, ids));
    await submitted(rig, ids, 'UOTHER'); // someone else's do not count
    const sixth = await rig.service.submit({
      draft: { instanceIds: ids, keyPairName: 'ops-key', region: 'cn-beijing' },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    expect(sixth.ok).toBe(false);
    if (sixth.ok) return;
    expect(sixth.refusal).toMatchObject({ reason: 'too_many_open', limit: 5 });
    if (sixth.refusal.reason !== 'too_many_open') return;
    expect(sixth.refusal.open.map((r) => r.id)).toEqual(five.map((r) => r.id));
    expect(rig.store.data.size).toBe(6);
    // One decided frees a place.
    await rig.service.decide({ requestId: five[0]?.id as string, userId: 'UAPP1', kind: 'reject' });
    expect((await submitted(rig, ids)).status).toBe('pending');
  });

  it('lets in only the fifth of two submits racing past the early check (the limit holds at insert)', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    for (let i = 0; i < 4; i++) await submitted(rig, ids);
    // Both read the cloud at once, each having seen four pending: only one may be the fifth.
    const first = rig.ecs.hold('DescribeKeyPairs');
    const second = rig.ecs.hold('DescribeKeyPairs');
    const ask = () =>
      rig.service.submit({
        draft: { instanceIds: ids, keyPairName: 'ops-key', region: 'cn-beijing' },
        requesterId: 'UREQ',
        channelId: 'C0OPS',
      });
    const racing = [ask(), ask()];
    await Promise.all([first.arrived, second.arrived]);
    first.release();
    second.release();
    const results = await Promise.all(racing);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    expect(refused && !refused.ok && refused.refusal).toMatchObject({
      reason: 'too_many_open',
      limit: 5,
    });
    expect([...rig.store.data.values()].filter((r) => r.status === 'pending')).toHaveLength(5);
  });

  it('refuses a request whose preview found none of its instances; a partial read goes ahead', async () => {
    const rig = serviceRig();
    stock(rig, 1);
    const none = await rig.service.submit({
      draft: {
        instanceIds: ['i-gone0001', 'i-gone0002'],
        keyPairName: 'ops-key',
        region: 'cn-beijing',
      },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    expect(none).toEqual({
      ok: false,
      refusal: { reason: 'no_instances_found', region: 'cn-beijing', count: 2 },
    });
    expect(rig.store.data.size).toBe(0);
    expect(rig.notifier.cards).toHaveLength(0);
    expect(rig.audit.events).toHaveLength(0);
    // A read that failed proves nothing: the request goes ahead, "preview unavailable".
    rig.ecs.failNextCall('DescribeInstances', Object.assign(new Error('x'), { code: 'Timeout' }));
    expect((await submitted(rig, ['i-gone0001'])).status).toBe('pending');
  });

  it('refuses an unknown key pair with similar names, storing and posting nothing', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    rig.ecs.addKeyPair({
      keyPairId: 'kp-ops00002',
      keyPairName: 'ops-key-2024',
      fingerprint: 'ff',
    });
    const result = await rig.service.submit({
      draft: { instanceIds: ids, keyPairName: 'ops-kee', region: 'cn-beijing' },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    expect(result).toEqual({
      ok: false,
      refusal: {
        reason: 'unknown_key_pair',
        region: 'cn-beijing',
        keyPair: 'ops-kee',
        suggestions: ['ops-key', 'ops-key-2024'],
      },
    });
    expect(rig.store.data.size).toBe(0);
    expect(rig.notifier.cards).toHaveLength(0);
    expect(rig.audit.events).toHaveLength(0);
  });

  it('goes ahead with "preview unavailable" when the cloud cannot be read', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 2);
    rig.ecs.failNextCall(
      'DescribeInstances',
      Object.assign(new Error('not allowed'), { code: 'AccessDenied', httpStatus: 403 }),
    );
    rig.ecs.failNextCall(
      'DescribeKeyPairs',
      Object.assign(new Error('timeout'), { code: 'Timeout' }),
    );
    const request = await submitted(rig, ids);
    expect(request.status).toBe('pending');
    expect(request.preview).toMatchObject({
      instances: [],
      unread: ids,
      error: { code: 'AccessDenied' },
      keyPairError: { code: 'Timeout' },
    });
    expect(request.preview?.keyPair).toBeUndefined();
    expect(rig.notifier.cards).toHaveLength(1);
  });

  it('freezes the rules that match on the preview tags: more approvals for production', async () => {
    const rig = serviceRig({
      policy: {
        rules: [
          { name: 'production', match: { tag: { key: 'env', value: 'prod' } }, approvals: 2 },
          { name: 'large', match: { instancesOver: 50 }, approvals: 3 },
        ],
      },
    });
    const ids = stock(rig, 2);
    rig.ecs.addInstance({ instanceId: 'i-prod0001', tags: [{ key: 'env', value: 'prod' }] });
    const request = await submitted(rig, [...ids, 'i-prod0001']);
    expect(request.approval).toEqual({
      required: 2,
      rules: [{ name: 'production', approvals: 2, reason: 'tag' }],
      approvals: [],
    });
  });

  it('leaves nothing pending when the card cannot be posted', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    rig.notifier.failPostCard = 'bot_not_in_channel';
    const result = await rig.service.submit({
      draft: { instanceIds: ids, keyPairName: 'ops-key', region: 'cn-beijing' },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    expect(result).toMatchObject({ ok: false, refusal: { reason: 'bot_not_in_channel' } });
    expect(await rig.store.listOpen()).toHaveLength(0);
    expect(rig.audit.events.map((e) => e.type)).toEqual(['requested', 'request_not_posted']);
  });

  it('answers "storage unavailable" when the store is down, changing nothing', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    rig.store.setDown(true);
    const result = await rig.service.submit({
      draft: { instanceIds: ids, keyPairName: 'ops-key', region: 'cn-beijing' },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    expect(result).toEqual({ ok: false, refusal: { reason: 'storage_unavailable' } });
    expect(rig.notifier.cards).toHaveLength(0);
  });

  it('refuses too many instances, and channels and requesters outside the lists', async () => {
    const rig = serviceRig({
      settings: { maxInstancesPerRequest: 2, allowedChannelIds: ['C0OK'], requesterIds: ['UOK'] },
    });
    const ids = stock(rig, 3);
    const ask = (channelId: string, requesterId: string, n = 1) =>
      rig.service.submit({
        draft: { instanceIds: ids.slice(0, n), keyPairName: 'ops-key', region: 'cn-beijing' },
        requesterId,
        channelId,
      });
    expect(await ask('C0NO', 'UOK')).toMatchObject({
      ok: false,
      refusal: { reason: 'channel_not_allowed' },
    });
    expect(await ask('C0OK', 'UNO')).toMatchObject({
      ok: false,
      refusal: { reason: 'requester_not_allowed' },
    });
    expect(await ask('C0OK', 'UOK', 3)).toMatchObject({
      ok: false,
      refusal: { reason: 'too_many_instances', count: 3, limit: 2 },
    });
    expect(rig.store.data.size).toBe(0);
  });
});
