import { describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { memoryStore } from '../support/memory-ports.js';
import { approvedAndRun, type Rig, serviceRig, stock, submitted } from '../support/service-rig.js';

// Issue 19: the checks before the first mutation. The key pair is read again by id and must be
// the one the card showed; an approval left unstarted past its window expires; a request of the
// other mode never runs. Each ends the request with nothing sent, once, with its reason.

const mutations = (rig: Rig) =>
  rig.ecs.calls.filter((c) =>
    ['AttachKeyPair', 'DetachKeyPair', 'RebootInstances'].includes(c.action),
  );

describe('the key pair, read again before the first call', () => {
  it('fails before any call when the key behind the id is another one (fingerprint differs)', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 2));
    // Same id and name, another public key (the fake's console lets a test do what the API can't).
    rig.ecs.addKeyPair({ keyPairId: 'kp-ops00001', keyPairName: 'ops-key', fingerprint: 'ee:ee' });
    const done = await approvedAndRun(rig, request.id);
    expect(done.status).toBe('failed');
    expect(done.stopped).toMatchObject({
      reason: 'key_pair_changed',
      approved: { keyPairId: 'kp-ops00001', keyPairName: 'ops-key', fingerprint: 'aa:bb:cc' },
      found: { keyPairId: 'kp-ops00001', fingerprint: 'ee:ee' },
    });
    expect(mutations(rig)).toEqual([]);
    expect(done.steps.every((s) => s.state === 'skipped')).toBe(true);
    // The thread says why (once), the audit trail has it, and nothing is retried.
    expect(rig.notifier.results).toHaveLength(1);
    expect(done.resultsPostedAt).toBeDefined();
    const stopped = rig.audit.events.filter((e) => e.type === 'stopped');
    expect(stopped).toEqual([
      expect.objectContaining({ requestId: request.id, reason: 'key_pair_changed' }),
    ]);
    expect(rig.audit.events.some((e) => e.type === 'execution_started')).toBe(false);
    expect(await rig.service.resume()).toBe(0);
    await rig.service.execute(request.id);
    expect(mutations(rig)).toEqual([]);
  });

  it('fails when the key pair was renamed (and its name given to another) or deleted', async () => {
    for (const change of ['renamed', 'deleted'] as const) {
      const rig = serviceRig();
      const request = await submitted(rig, stock(rig, 1));
      rig.ecs.keyPairs.delete('ops-key');
      if (change === 'renamed') {
        rig.ecs.addKeyPair({
          keyPairId: 'kp-ops00001',
          keyPairName: 'ops-key-old',
          fingerprint: 'aa:bb:cc',
        });
      }
      rig.ecs.addKeyPair({
        keyPairId: 'kp-evil0001',
        keyPairName: 'ops-key',
        fingerprint: '66:66',
      });
      const done = await approvedAndRun(rig, request.id);
      expect(done.status, change).toBe('failed');
      expect(done.stopped, change).toMatchObject({ reason: 'key_pair_changed' });
      if (change === 'deleted') expect(done.stopped).not.toHaveProperty('found');
      else expect(done.stopped).toMatchObject({ found: { keyPairName: 'ops-key-old' } });
      expect(mutations(rig), change).toEqual([]);
    }
  });

  it('runs a key pair not read at submit once it can be read, sending the id read then', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    rig.ecs.failNextCall('DescribeKeyPairs', Object.assign(new Error('slow'), { code: 'Timeout' }));
    const request = await submitted(rig, ids);
    expect(request.preview?.keyPairError).toMatchObject({ code: 'Timeout' });
    expect(request.steps[0]).not.toHaveProperty('keyPairId');
    const done = await approvedAndRun(rig, request.id);
    expect(done.status).toBe('done');
    expect(rig.ecs.callsTo('AttachKeyPair')).toEqual([
      expect.objectContaining({ keyPairId: 'kp-ops00001', keyPairName: 'ops-key' }),
    ]);
    expect(done.steps[0]).toMatchObject({ keyPairId: 'kp-ops00001' });
  });

  it('fails closed when the key pair can be read neither at submit nor before the first call', async () => {
    const rig = serviceRig();
    const ids = stock(rig, 1);
    const denied = () =>
      Object.assign(new Error('no'), { code: 'AccessDenied', call: 'ecs:DescribeKeyPairs' });
    rig.ecs.failNextCall('DescribeKeyPairs', denied());
    const request = await submitted(rig, ids);
    rig.ecs.failNextCall('DescribeKeyPairs', denied());
    const done = await approvedAndRun(rig, request.id);
    expect(done.status).toBe('failed');
    expect(done.stopped).toMatchObject({
      reason: 'key_pair_unreadable',
      keyPair: 'ops-key',
      error: { code: 'AccessDenied', call: 'ecs:DescribeKeyPairs' },
    });
    expect(mutations(rig)).toEqual([]);
  });
});

describe('an approval is for now', () => {
  /** Approved `minutesAgo` ago, never started: a crash between the approval and the first call. */
  async function approvedThenCrashed(minutesAgo: number, sent = false) {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    const at = new Date(rig.clock.now().getTime()).toISOString();
    const approved: MutationRequest = {
      ...request,
      status: sent ? 'executing' : 'approved',
      approval: { ...request.approval, approvals: [{ by: 'UAPP1', at }] },
      decision: { kind: 'approved', by: 'UAPP1', at },
      steps: sent
        ? request.steps.map((s) =>
            s.index === 0 ? { ...s, state: 'sent', sendCount: 1, sentAt: at } : s,
          )
        : request.steps,
    };
    const store = memoryStore([approved]);
    rig.clock.advance(minutesAgo * 60_000);
    const restarted = serviceRig({ store, ecs: rig.ecs, clock: rig.clock });
    await restarted.service.resume();
    await restarted.service.idle();
    return { restarted, request: (await store.get(request.id)) as MutationRequest, rig };
  }

  it('expires an approved request not started within REQUEST_TTL_MINUTES of its approval', async () => {
    const { request, restarted, rig } = await approvedThenCrashed(61);
    expect(request.status).toBe('expired');
    expect(request.stopped).toMatchObject({
      reason: 'approval_lapsed',
      approvedAt: '2026-11-28T09:00:00.000Z',
      ttlMinutes: 60,
    });
    expect(mutations(rig)).toEqual([]);
    // The thread says to ask again; the audit trail says why it expired.
    expect(restarted.notifier.results).toHaveLength(1);
    expect(restarted.audit.events).toEqual([
      expect.objectContaining({ type: 'expired', reason: 'approval_lapsed' }),
      expect.objectContaining({ type: 'results_posted' }),
    ]);
  });

  it('still runs one approved within the window, and resumes one whose first call was sent', async () => {
    const fresh = await approvedThenCrashed(59);
    expect(fresh.request.status).toBe('done');
    const started = await approvedThenCrashed(120, true);
    expect(started.request.status).toBe('done');
    expect(started.request.steps[0]).toMatchObject({ sendCount: 2 });
  });
});

describe('an undo is approved within its window', () => {
  it('checks the undo window again at the approval: past it, the undo ends unsent', async () => {
    const rig = serviceRig({ settings: { undoWindowHours: 1 } });
    const parent = await approvedAndRun(rig, (await submitted(rig, stock(rig, 1))).id);
    const asked = await rig.service.requestFollowUp({
      kind: 'undo',
      parentId: parent.id,
      userId: 'UREQ',
    });
    if (!asked.ok) throw new Error('the undo was refused');
    rig.clock.advance(61 * 60_000);
    const before = mutations(rig).length;
    const click = await rig.service.decide({
      requestId: asked.request.id,
      userId: 'UAPP2',
      kind: 'approve',
    });
    expect(click).toEqual({
      ok: false,
      refusal: { reason: 'undo_window_closed', closedAt: expect.any(String) },
    });
    await rig.service.idle();
    const undo = await rig.store.get(asked.request.id);
    expect(undo).toMatchObject({ status: 'expired', stopped: { reason: 'undo_window_closed' } });
    expect(mutations(rig)).toHaveLength(before);
    expect(rig.notifier.results.map((r) => r.id)).toContain(asked.request.id);
    // A second click is told it is over, and still nothing runs.
    const again = await rig.service.decide({
      requestId: asked.request.id,
      userId: 'UAPP3',
      kind: 'approve',
    });
    expect(again).toMatchObject({ ok: false, refusal: { reason: 'already_decided' } });
    expect(mutations(rig)).toHaveLength(before);
  });
});

describe('sandbox and live never mix', () => {
  it('never runs a sandbox request on a live bot, started or not; a request without the field is live', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    const decision = { kind: 'approved' as const, by: 'UAPP1', at: request.createdAt };
    const sandboxed: MutationRequest = {
      ...request,
      id: 'ak-sbx',
      sandbox: true,
      status: 'approved',
      decision,
    };
    const running: MutationRequest = {
      ...sandboxed,
      id: 'ak-sbx-running',
      status: 'executing',
      steps: request.steps.map((s) => (s.index === 0 ? { ...s, state: 'sent', sendCount: 1 } : s)),
    };
    const { sandbox: _none, ...older } = {
      ...request,
      id: 'ak-live',
      status: 'approved' as const,
      decision,
    };
    const store = memoryStore([sandboxed, running, older]);
    const live = serviceRig({ store, ecs: rig.ecs, clock: rig.clock });
    await live.service.resume();
    await live.service.idle();
    for (const id of ['ak-sbx', 'ak-sbx-running']) {
      const stored = await store.get(id);
      expect(stored?.status, id).toBe('voided');
      expect(stored?.stopped, id).toMatchObject({ reason: 'other_mode', mode: 'sandbox' });
    }
    expect((await store.get('ak-live'))?.status).toBe('done');
    // Only the live one was sent (its steps keep the tokens of the request it was copied from).
    expect(mutations(rig).map((c) => c.clientToken)).toEqual([`${request.id}-b0`]);
    expect(live.audit.events.filter((e) => e.type === 'voided')).toEqual([
      expect.objectContaining({ mode: 'sandbox', botMode: 'live' }),
      expect.objectContaining({ mode: 'sandbox', botMode: 'live' }),
    ]);
    // And a live request (no field) on a sandbox bot is voided the same way.
    const sandboxBot = serviceRig({
      store: memoryStore([{ ...older, id: 'ak-live-2' }]),
      ecs: rig.ecs,
      clock: rig.clock,
      settings: { sandbox: true },
    });
    await sandboxBot.service.resume();
    await sandboxBot.service.idle();
    expect(await sandboxBot.store.get('ak-live-2')).toMatchObject({
      status: 'voided',
      stopped: { reason: 'other_mode', mode: 'live' },
    });
  });
});
