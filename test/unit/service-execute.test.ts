import { describe, expect, it } from 'vitest';
import { summarizeRequest } from '../../src/domain/operations/summary.js';
import type { MutationRequest } from '../../src/domain/request.js';
import { manualClock, memoryEcs, memoryStore } from '../support/memory-ports.js';
import { approvedAndRun, type Rig, serviceRig, stock, submitted } from '../support/service-rig.js';

async function finishedAttach(rig: Rig, ids: string[]) {
  const request = await submitted(rig, ids);
  return approvedAndRun(rig, request.id);
}

async function followUp(rig: Rig, kind: 'restart' | 'undo', parentId: string, userId = 'UREQ') {
  const result = await rig.service.requestFollowUp({ kind, parentId, userId });
  if (!result.ok) throw new Error(`follow-up refused: ${JSON.stringify(result.refusal)}`);
  return result.request;
}

describe('attach execution', () => {
  it('binds in batches of 100, reads every instance back and flags a mismatch', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 150);
    const request = await submitted(rig, ids);
    // Someone binds another key behind our back right after our call.
    const original = rig.ecs.attachKeyPair;
    rig.ecs.attachKeyPair = async (call) => {
      const answer = await original(call);
      const sneaky = rig.ecs.instances.get(ids[0] as string);
      if (sneaky) Object.assign(sneaky, { keyPairName: 'other-key', keyPairId: 'kp-other001' });
      return answer;
    };
    const done = await approvedAndRun(rig, request.id);
    expect(rig.ecs.callsTo('AttachKeyPair').map((c) => c.instanceIds.length)).toEqual([100, 50]);
    expect(done.status).toBe('done');
    const summary = summarizeRequest(done);
    expect(summary.counts.ok).toBe(150);
    expect(summary.mismatched).toBe(1);
    expect(summary.results[0]).toMatchObject({
      state: 'ok',
      verification: {
        state: 'mismatch',
        seen: { keyPairName: 'other-key', keyPairId: 'kp-other001' },
      },
    });
    expect(summary.results[1]).toMatchObject({ state: 'ok', verification: { state: 'verified' } });
    expect(rig.notifier.results).toHaveLength(1);
    expect(done.resultsPostedAt).toBeDefined();
    expect(rig.audit.events.filter((e) => e.type === 'finished')[0]).toMatchObject({
      ok: 150,
      mismatched: 1,
    });
  });

  it('reports per-instance failures, and an unverified read-back without failing the request', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 2);
    rig.ecs.addInstance({ instanceId: 'i-win00001', osType: 'Windows' });
    const request = await submitted(rig, [...ids, 'i-win00001', 'i-gone0001']);
    rig.ecs.failNextCall(
      'DescribeInstances',
      Object.assign(new Error('x'), { code: 'AccessDenied' }),
    );
    const done = await approvedAndRun(rig, request.id);
    const summary = summarizeRequest(done);
    expect(done.status).toBe('done');
    expect(summary.counts).toMatchObject({ ok: 2, failed: 2 });
    expect(summary.results.find((r) => r.instanceId === 'i-win00001')).toMatchObject({
      state: 'failed',
      code: 'InvalidKeyPairForWindows.Unsupported',
    });
    expect(summary.results[0]).toMatchObject({ verification: { state: 'unverified' } });
  });

  it('marks the request failed when a batch fails as a whole, its instances unconfirmed', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 2));
    rig.ecs.failNextCall('AttachKeyPair', Object.assign(new Error('gone'), { code: 'Timeout' }));
    const done = await approvedAndRun(rig, request.id);
    expect(done.status).toBe('failed');
    expect(summarizeRequest(done).counts.unconfirmed).toBe(2);
  });

  it('resumes a request whose batch was sent before a crash, with the same ClientToken', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 2));
    const crashed: MutationRequest = {
      ...request,
      status: 'executing',
      steps: request.steps.map((s) =>
        s.index === 0
          ? { ...s, state: 'sent', sendCount: 1, sentAt: '2026-11-28T09:00:01.000Z' }
          : s,
      ),
    };
    const store = memoryStore([crashed]);
    const restarted = serviceRig({ store, ecs: rig.ecs, clock: rig.clock });
    expect(await restarted.service.resume()).toBe(1);
    await restarted.service.idle();
    const done = await store.get(request.id);
    expect(done?.status).toBe('done');
    expect(done?.steps[0]).toMatchObject({ sendCount: 2, state: 'done' });
    expect(rig.ecs.callsTo('AttachKeyPair').map((c) => c.clientToken)).toEqual([
      `${request.id}-b0`,
    ]);
    expect(restarted.notifier.results).toHaveLength(1);
    // A third start finds nothing to do.
    expect(await restarted.service.resume()).toBe(0);
  });

  it('reads back, on a resume, a batch answered before the crash but never read: no resend', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 150);
    const request = await submitted(rig, ids);
    // Batch 0 bound and answered; its read-back was sent but never answered; batch 1 unsent.
    await rig.ecs.attachKeyPair({
      region: request.region,
      instanceIds: ids.slice(0, 100),
      keyPairId: request.keyPairId ?? '',
      clientToken: `${request.id}-b0`,
    });
    const at = '2026-11-28T09:00:01.000Z';
    const crashed: MutationRequest = {
      ...request,
      status: 'executing',
      steps: request.steps.map((s) => {
        if (s.index === 0) return { ...s, state: 'done', sendCount: 1, sentAt: at, outcomes: [] };
        if (s.verifies === 0) return { ...s, state: 'sent', sendCount: 1, sentAt: at };
        return s;
      }),
    };
    expect(crashed.steps.map((s) => [s.action, s.verifies, s.state])).toEqual([
      ['AttachKeyPair', undefined, 'done'],
      ['AttachKeyPair', undefined, 'planned'],
      ['Verify', 0, 'sent'],
      ['Verify', 1, 'planned'],
    ]);
    const calls = rig.ecs.callsTo('AttachKeyPair').length;
    const store = memoryStore([crashed]);
    const restarted = serviceRig({ store, ecs: rig.ecs, clock: rig.clock });
    expect(await restarted.service.resume()).toBe(1);
    await restarted.service.idle();
    const done = await store.get(request.id);
    expect(done?.steps.map((s) => [s.state, s.sendCount])).toEqual([
      ['done', 1],
      ['done', 1],
      ['done', 2],
      ['done', 1],
    ]);
    // Only batch 1 was sent again; both batches were read back.
    expect(
      rig.ecs
        .callsTo('AttachKeyPair')
        .slice(calls)
        .map((c) => c.clientToken),
    ).toEqual([`${request.id}-b1`]);
    const summary = summarizeRequest(done as MutationRequest);
    expect(
      summary.results.every((r) => r.state === 'ok' && r.verification?.state === 'verified'),
    ).toBe(true);
  });
});

describe('leases', () => {
  it('leaves a request another replica holds, and takes it over once the lease lapses', async () => {
    const clock = manualClock();
    const store = memoryStore();
    const ecs = memoryEcs({ now: clock.now });
    const a = serviceRig({ store, ecs, clock, replicaId: 'a' });
    const request = await submitted(a, stock(a, 1));
    await store.update(request.id, (c) => ({
      ok: true,
      request: {
        ...c,
        status: 'approved',
        decision: { kind: 'approved', by: 'UAPP1', at: c.createdAt },
      },
    }));
    await store.acquireLease(
      request.id,
      'dead-replica',
      new Date(clock.now().getTime() + 30_000),
      clock.now(),
    );
    const b = serviceRig({ store, ecs, clock, replicaId: 'b' });
    await b.service.resume();
    await b.service.idle();
    expect(ecs.callsTo('AttachKeyPair')).toHaveLength(0);
    clock.advance(31_000);
    await b.service.resume();
    await b.service.idle();
    expect((await store.get(request.id))?.status).toBe('done');
    expect(ecs.callsTo('AttachKeyPair')).toHaveLength(1);
    expect(store.leases.has(request.id)).toBe(false);
  });

  it('pauses while the store is down and goes on when it is back', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    const held = rig.ecs.hold('AttachKeyPair');
    await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    await held.arrived;
    rig.store.downForCalls(3);
    held.release();
    await rig.service.idle();
    expect((await rig.store.get(request.id))?.status).toBe('done');
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(1);
    expect(rig.logger.lines.some((l) => l.includes('store unavailable: execution paused'))).toBe(
      true,
    );
  });

  it('after a long outage, the next scan takes the request up again with the same tokens', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    const held = rig.ecs.hold('AttachKeyPair');
    await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    await held.arrived;
    rig.store.downForCalls(1_000);
    held.release();
    await rig.service.idle();
    rig.store.downForCalls(0);
    expect((await rig.store.get(request.id))?.status).toBe('executing');
    expect(await rig.service.resume()).toBe(1);
    await rig.service.idle();
    expect((await rig.store.get(request.id))?.status).toBe('done');
    const tokens = rig.ecs.callsTo('AttachKeyPair').map((c) => c.clientToken);
    expect(tokens).toEqual([`${request.id}-b0`, `${request.id}-b0`]);
    expect(rig.notifier.results).toHaveLength(1);
  });
});

describe('restart', () => {
  it('reboots the bound RUNNING instances in waves that never overlap, then reports each', async () => {
    const rig = serviceRig({ settings: { restart: { waveSize: 2, waveTimeoutMs: 600_000 } } });
    const ids = stock(rig, 4);
    rig.ecs.addInstance({ instanceId: 'i-stop0001', status: 'STOPPED' });
    const parent = await finishedAttach(rig, [...ids, 'i-stop0001']);
    const restart = await followUp(rig, 'restart', parent.id);
    expect(restart).toMatchObject({
      kind: 'restart',
      parentId: parent.id,
      threadTs: parent.card?.ts,
      instanceIds: ids,
      excluded: [{ instanceId: 'i-stop0001', reason: 'stopped' }],
    });
    expect(restart.steps.map((s) => `${s.action}:${s.wave}`)).toEqual([
      'RebootInstances:0',
      'WaitRunning:0',
      'RebootInstances:1',
      'WaitRunning:1',
    ]);
    const done = await approvedAndRun(rig, restart.id, ['UAPP2']);
    expect(done.status).toBe('done');
    const reboots = rig.ecs.callsTo('RebootInstances');
    expect(reboots.map((c) => c.instanceIds)).toEqual([ids.slice(0, 2), ids.slice(2)]);
    // The second wave started only after the first was RUNNING again: its describes came first.
    const order = rig.ecs.calls.map((c) => c.action).filter((a) => a !== 'DescribeKeyPairs');
    const secondReboot = order.lastIndexOf('RebootInstances');
    expect(order.slice(order.indexOf('RebootInstances') + 1, secondReboot)).toContain(
      'DescribeInstances',
    );
    const summary = summarizeRequest(done);
    expect(summary.counts.ok).toBe(4);
    expect(summary.results[0]).toMatchObject({
      observed: { status: 'RUNNING', keyPairName: 'ops-key' },
    });
    expect(new Set(reboots.map((c) => c.clientToken)).size).toBe(2);
  });

  it('halts the roll at a wave with a failure: later waves never start', async () => {
    const rig = serviceRig({ settings: { restart: { waveSize: 1, waveTimeoutMs: 600_000 } } });
    const ids = stock(rig, 3);
    const parent = await finishedAttach(rig, ids);
    const restart = await followUp(rig, 'restart', parent.id);
    const second = rig.ecs.instances.get(ids[1] as string);
    if (second) second.failWith = 'InvalidInstanceStatus';
    const done = await approvedAndRun(rig, restart.id, ['UAPP2']);
    const summary = summarizeRequest(done);
    expect(summary.results.map((r) => r.state)).toEqual(['ok', 'failed', 'not_started']);
    expect(rig.ecs.callsTo('RebootInstances')).toHaveLength(2);
    expect(done.steps.filter((s) => s.state === 'skipped')).toHaveLength(2);
    expect(rig.audit.events.filter((e) => e.type === 'restart_steps_skipped')).toHaveLength(1);
  });

  it('times a wave out when an instance does not come back, and halts', async () => {
    const rig = serviceRig({ settings: { restart: { waveSize: 1, waveTimeoutMs: 60_000 } } });
    const ids = stock(rig, 2);
    const parent = await finishedAttach(rig, ids);
    const restart = await followUp(rig, 'restart', parent.id);
    const original = rig.ecs.rebootInstances;
    rig.ecs.rebootInstances = async (call) => {
      const answer = await original(call);
      const stuck = rig.ecs.instances.get(call.instanceIds[0] as string);
      if (stuck) delete (stuck as { upAt?: number }).upAt; // never comes back
      return answer;
    };
    const done = await approvedAndRun(rig, restart.id, ['UAPP2']);
    const summary = summarizeRequest(done);
    expect(summary.results[0]).toMatchObject({ state: 'failed', code: 'RestartTimeout' });
    expect(summary.results[1]).toMatchObject({ state: 'not_started' });
    // Polls spread out: far fewer reads than one per 250 ms over the minute.
    expect(rig.ecs.callsTo('DescribeInstances').length).toBeLessThan(40);
  });

  it('is asked for once: a second click while one is pending gets "already requested"', async () => {
    const rig = serviceRig();
    const parent = await finishedAttach(rig, stock(rig, 2));
    const [a, b] = await Promise.all([
      rig.service.requestFollowUp({ kind: 'restart', parentId: parent.id, userId: 'UREQ' }),
      rig.service.requestFollowUp({ kind: 'restart', parentId: parent.id, userId: 'UAPP1' }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const refused = a.ok ? b : a;
    expect(refused).toMatchObject({ ok: false, refusal: { reason: 'already_requested' } });
    expect(rig.notifier.cards.filter((c) => c.kind === 'restart')).toHaveLength(1);
  });

  it('judges self-approval against whoever clicked Restart', async () => {
    const rig = serviceRig();
    const parent = await finishedAttach(rig, stock(rig, 1));
    const restart = await followUp(rig, 'restart', parent.id, 'UAPP2');
    expect(
      await rig.service.decide({ requestId: restart.id, userId: 'UAPP2', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'self_approval' },
    });
  });
});

describe('undo', () => {
  it('gives the earlier key pairs back and removes the new one where there was none', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 3);
    rig.ecs.addKeyPair({ keyPairId: 'kp-old00001', keyPairName: 'old-key' });
    Object.assign(rig.ecs.instances.get(ids[0] as string) ?? {}, {
      keyPairId: 'kp-old00001',
      keyPairName: 'old-key',
    });
    Object.assign(rig.ecs.instances.get(ids[1] as string) ?? {}, {
      keyPairId: 'kp-old00001',
      keyPairName: 'old-key',
    });
    rig.ecs.addInstance({ instanceId: 'i-win00001', osType: 'Windows' });
    const parent = await finishedAttach(rig, [...ids, 'i-win00001']);
    const undo = await followUp(rig, 'undo', parent.id);
    expect(undo.instanceIds).toEqual(ids);
    expect(undo.steps.map((s) => [s.action, s.instanceIds, s.keyPairId ?? s.keyPairName])).toEqual([
      ['AttachKeyPair', ids.slice(0, 2), 'kp-old00001'],
      // By the id of the key pair the attach bound, frozen from its preview.
      ['DetachKeyPair', [ids[2]], 'kp-ops00001'],
      // Each batch read back as soon as it is answered.
      ['Verify', ids.slice(0, 2), undefined],
      ['Verify', [ids[2]], undefined],
    ]);
    const done = await approvedAndRun(rig, undo.id, ['UAPP2']);
    expect(done.status).toBe('done');
    expect(summarizeRequest(done)).toMatchObject({ counts: { ok: 3 }, mismatched: 0 });
    expect(rig.ecs.instances.get(ids[0] as string)?.keyPairName).toBe('old-key');
    expect(rig.ecs.instances.get(ids[2] as string)?.keyPairName).toBeUndefined();
    // Its results offer a restart of their own.
    const restart = await followUp(rig, 'restart', undo.id);
    expect(restart.instanceIds).toEqual(ids);
  });

  it('is offered only within UNDO_WINDOW_HOURS', async () => {
    const rig = serviceRig({ settings: { undoWindowHours: 1 } });
    const parent = await finishedAttach(rig, stock(rig, 1));
    rig.clock.advance(61 * 60_000);
    expect(
      await rig.service.requestFollowUp({ kind: 'undo', parentId: parent.id, userId: 'UREQ' }),
    ).toMatchObject({
      ok: false,
      refusal: { reason: 'undo_window_closed' },
    });
  });
});
