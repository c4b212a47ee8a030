import { describe, expect, it } from 'vitest';
import type { AttachRequest } from '../../src/domain/request.js';
import { createAttachService } from '../../src/service/attach-service.js';
import {
  manualClock,
  memoryAudit,
  memoryStore,
  recordingNotifier,
  scriptedEcs,
  silentLogger,
} from '../support/memory-ports.js';

const APPROVERS = ['UAPP1', 'UAPP2', 'UAPP3'];

function setup(
  options: {
    initial?: AttachRequest[];
    allowSelfApproval?: boolean;
    requesterIds?: string[];
    allowedChannelIds?: string[];
    maxInstances?: number;
  } = {},
) {
  const store = memoryStore(options.initial);
  const ecs = scriptedEcs();
  const notifier = recordingNotifier();
  const audit = memoryAudit();
  const clock = manualClock();
  const logger = silentLogger();
  let n = 0;
  const service = createAttachService({
    store,
    ecs,
    notifier,
    audit,
    clock,
    logger,
    newRequestId: () => `ak-test${++n}`,
    policy: {
      approverIds: APPROVERS,
      allowSelfApproval: options.allowSelfApproval ?? false,
      requesterIds: options.requesterIds ?? [],
      allowedChannelIds: options.allowedChannelIds ?? [],
      maxInstancesPerRequest: options.maxInstances ?? 500,
      requestTtlMinutes: 60,
    },
    sandbox: false,
    maxConcurrency: 4,
    retentionDays: 30,
  });
  return { service, store, ecs, notifier, audit, clock, logger };
}

const draft = { instanceIds: ['i-aaaa1', 'i-bbbb2'], keyPairName: 'ops-key', region: 'cn-beijing' };

async function submitted(t: ReturnType<typeof setup>, requesterId = 'UREQ') {
  const result = await t.service.submit({ draft, requesterId, channelId: 'C0OPS' });
  if (!result.ok) throw new Error(`submit refused: ${JSON.stringify(result.refusal)}`);
  return result.request;
}

describe('submit', () => {
  it('stores a pending request with its card and audits it', async () => {
    const t = setup();
    const request = await submitted(t);
    expect(request.status).toBe('pending');
    expect(request.card).toEqual({ channel: 'C0OPS', ts: expect.any(String) });
    expect(request.expiresAt).toBe('2026-11-28T10:00:00.000Z');
    expect(t.store.get(request.id)?.card).toEqual(request.card);
    expect(t.audit.events.map((e) => e.type)).toEqual(['requested']);
  });

  it('leaves nothing pending when the card cannot be posted', async () => {
    const t = setup();
    t.notifier.failPostCard = 'bot_not_in_channel';
    const result = await t.service.submit({ draft, requesterId: 'UREQ', channelId: 'C0OPS' });
    expect(result).toMatchObject({ ok: false, refusal: { reason: 'bot_not_in_channel' } });
    expect(t.store.listByStatus(['pending'])).toHaveLength(0);
    expect(t.audit.events.map((e) => e.type)).toEqual(['requested', 'request_not_posted']);
  });

  it('refuses channels, requesters and sizes outside the policy without storing anything', async () => {
    const t = setup({ allowedChannelIds: ['C0OK'], requesterIds: ['UOK'], maxInstances: 1 });
    const ask = (requesterId: string, channelId: string) =>
      t.service.submit({ draft, requesterId, channelId });
    expect(await ask('UOK', 'C0OTHER')).toMatchObject({
      refusal: { reason: 'channel_not_allowed' },
    });
    expect(await ask('UOTHER', 'C0OK')).toMatchObject({
      refusal: { reason: 'requester_not_allowed' },
    });
    expect(await ask('UOK', 'C0OK')).toMatchObject({
      refusal: { reason: 'too_many_instances', count: 2, limit: 1 },
    });
    expect(t.store.data.size).toBe(0);
    expect(t.notifier.cards).toHaveLength(0);
  });
});

describe('decide', () => {
  it('approves, freezes batches with tokens, executes once and posts results once', async () => {
    const t = setup();
    const request = await submitted(t);
    const result = await t.service.decide({
      requestId: request.id,
      userId: 'UAPP1',
      kind: 'approve',
    });
    expect(result.ok).toBe(true);
    await t.service.idle();
    const done = t.store.get(request.id) as AttachRequest;
    expect(done.status).toBe('done');
    expect(done.decision).toMatchObject({ kind: 'approved', by: 'UAPP1' });
    expect(t.ecs.calls).toHaveLength(1);
    expect(t.ecs.calls[0]).toMatchObject({
      instanceIds: ['i-aaaa1', 'i-bbbb2'],
      keyPairName: 'ops-key',
      clientToken: done.batches[0]?.clientToken,
    });
    expect(t.notifier.results).toHaveLength(1);
    expect(done.resultsPostedAt).toBeDefined();
    expect(t.audit.events.map((e) => e.type)).toEqual([
      'requested',
      'approved',
      'execution_started',
      'batch_sent',
      'batch_done',
      'finished',
      'results_posted',
    ]);
  });

  it('lets exactly one of 20 concurrent clicks decide', async () => {
    const t = setup();
    const request = await submitted(t);
    const clicks = Array.from({ length: 20 }, (_, i) =>
      t.service.decide({
        requestId: request.id,
        userId: APPROVERS[i % 3] as string,
        kind: i % 2 ? 'reject' : 'approve',
      }),
    );
    const results = await Promise.all(clicks);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refusals = results.filter((r) => !r.ok);
    expect(refusals).toHaveLength(19);
    for (const r of refusals) {
      expect(r).toMatchObject({
        refusal: { reason: 'already_decided', decision: { by: 'UAPP1' } },
      });
    }
    await t.service.idle();
    expect(t.ecs.calls).toHaveLength(1);
  });

  it('refuses non-approvers, self-approval, unknown ids and expired requests, changing nothing', async () => {
    const t = setup();
    const request = await submitted(t, 'UAPP1');
    const click = (userId: string, requestId = request.id) =>
      t.service.decide({ requestId, userId, kind: 'approve' });
    expect(await click('URANDOM')).toMatchObject({ refusal: { reason: 'not_approver' } });
    expect(await click('UAPP1')).toMatchObject({ refusal: { reason: 'self_approval' } });
    expect(await click('UAPP2', 'ak-nope')).toMatchObject({
      refusal: { reason: 'unknown_request' },
    });
    t.clock.advance(61 * 60_000);
    expect(await click('UAPP2')).toMatchObject({ refusal: { reason: 'expired' } });
    expect(t.store.get(request.id)?.status).toBe('pending');
    expect(t.ecs.calls).toHaveLength(0);
  });

  it('allows self-approval when configured', async () => {
    const t = setup({ allowSelfApproval: true });
    const request = await submitted(t, 'UAPP1');
    expect(
      await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' }),
    ).toMatchObject({ ok: true });
  });

  it('rejects without calling the API', async () => {
    const t = setup();
    const request = await submitted(t);
    await t.service.decide({ requestId: request.id, userId: 'UAPP2', kind: 'reject' });
    await t.service.idle();
    expect(t.store.get(request.id)).toMatchObject({
      status: 'rejected',
      decision: { by: 'UAPP2' },
    });
    expect(t.ecs.calls).toHaveLength(0);
    expect(t.notifier.updates.at(-1)?.status).toBe('rejected');
  });
});

describe('execution', () => {
  it('runs 250 instances as 100/100/50 with distinct tokens, bounded concurrency', async () => {
    const t = setup();
    const ids = Array.from({ length: 250 }, (_, i) => `i-inst${String(i).padStart(4, '0')}`);
    const result = await t.service.submit({
      draft: { ...draft, instanceIds: ids },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    if (!result.ok) throw new Error('refused');
    let inFlight = 0;
    let peak = 0;
    const base = t.ecs.answer;
    t.ecs.answer = async (call) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return base(call);
    };
    await t.service.decide({ requestId: result.request.id, userId: 'UAPP1', kind: 'approve' });
    await t.service.idle();
    expect(t.ecs.calls.map((c) => c.instanceIds.length).sort()).toEqual([100, 100, 50]);
    expect(new Set(t.ecs.calls.map((c) => c.clientToken)).size).toBe(3);
    expect(peak).toBeLessThanOrEqual(4);
    expect(t.store.get(result.request.id)?.status).toBe('done');
  });

  it('marks the request failed when a batch ends in a request-level error', async () => {
    const t = setup();
    const request = await submitted(t);
    t.ecs.answer = async () => {
      throw Object.assign(new Error('The specified KeyPair does not exist.'), {
        code: 'InvalidKeyPair.NotFound',
        httpStatus: 404,
        requestId: 'req-404',
        retryable: false,
      });
    };
    await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    await t.service.idle();
    const failed = t.store.get(request.id) as AttachRequest;
    expect(failed.status).toBe('failed');
    expect(failed.batches[0]).toMatchObject({
      state: 'failed',
      error: { code: 'InvalidKeyPair.NotFound', httpStatus: 404, requestId: 'req-404' },
    });
    expect(t.notifier.results).toHaveLength(1);
    // The trail's totals agree with the results thread: neither instance is counted as failed.
    expect(t.audit.events.find((e) => e.type === 'finished')).toMatchObject({
      status: 'failed',
      instances: 2,
      succeeded: 0,
      failed: 0,
      unconfirmed: 2,
    });
  });

  it('resumes a journaled request: re-sends the sent batch with the same token, posts results once', async () => {
    const t = setup();
    const request = await submitted(t);
    // Hold the call open, as if the process died while the API was answering.
    t.ecs.answer = () => new Promise(() => {});
    await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    await new Promise((r) => setImmediate(r));
    const journaled = structuredClone(t.store.get(request.id) as AttachRequest);
    expect(journaled.status).toBe('executing');
    expect(journaled.batches[0]).toMatchObject({ state: 'sent', sendCount: 1 });

    // A new process on the same data.
    const next = setup({ initial: [journaled] });
    await next.service.resume();
    await next.service.idle();
    expect(next.ecs.calls).toHaveLength(1);
    expect(next.ecs.calls[0]?.clientToken).toBe(journaled.batches[0]?.clientToken);
    expect(next.store.get(request.id)).toMatchObject({
      status: 'done',
      batches: [{ sendCount: 2 }],
    });
    expect(next.notifier.results).toHaveLength(1);

    // And a third start finds nothing left to do.
    const third = setup({
      initial: [structuredClone(next.store.get(request.id) as AttachRequest)],
    });
    await third.service.resume();
    await third.service.idle();
    expect(third.ecs.calls).toHaveLength(0);
    expect(third.notifier.results).toHaveLength(0);
  });

  it('posts results on resume when the process died after the last batch but before posting', async () => {
    const t = setup();
    const request = await submitted(t);
    t.notifier.postResults = async () => false; // Slack unreachable
    await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    await t.service.idle();
    const done = structuredClone(t.store.get(request.id) as AttachRequest);
    expect(done).toMatchObject({ status: 'done' });
    expect(done.resultsPostedAt).toBeUndefined();

    const next = setup({ initial: [done] });
    await next.service.resume();
    await next.service.idle();
    expect(next.ecs.calls).toHaveLength(0);
    expect(next.notifier.results).toHaveLength(1);
  });

  it('stop leaves unstarted batches journaled for the next start', async () => {
    const t = setup();
    const ids = Array.from({ length: 500 }, (_, i) => `i-inst${String(i).padStart(4, '0')}`);
    const result = await t.service.submit({
      draft: { ...draft, instanceIds: ids },
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
    if (!result.ok) throw new Error('refused');
    const held: Array<() => void> = [];
    const base = t.ecs.answer;
    t.ecs.answer = (call) => new Promise((resolve) => held.push(() => resolve(base(call))));
    await t.service.decide({ requestId: result.request.id, userId: 'UAPP1', kind: 'approve' });
    while (held.length < 4) await new Promise((r) => setImmediate(r));
    const stopping = t.service.stop(5_000);
    for (const release of held) release();
    await stopping;
    const state = t.store.get(result.request.id) as AttachRequest;
    expect(state.status).toBe('executing');
    expect(state.batches.filter((b) => b.state === 'done')).toHaveLength(4);
    expect(state.batches.filter((b) => b.state === 'planned')).toHaveLength(1);
    expect(t.ecs.calls).toHaveLength(4);
    expect(
      await t.service.decide({ requestId: result.request.id, userId: 'UAPP2', kind: 'approve' }),
    ).toMatchObject({ refusal: { reason: 'shutting_down' } });
  });
});

describe('expiry and retention', () => {
  it('expires due pending requests, updates the card and tells the requester', async () => {
    const t = setup();
    const request = await submitted(t);
    expect(await t.service.expireDue()).toBe(0);
    t.clock.advance(60 * 60_000);
    expect(await t.service.expireDue()).toBe(1);
    await t.service.idle();
    expect(t.store.get(request.id)).toMatchObject({
      status: 'expired',
      decision: { kind: 'expired' },
    });
    expect(t.notifier.updates.at(-1)?.status).toBe('expired');
    expect(t.notifier.expiredNotices).toMatchObject([
      { id: request.id, status: 'expired', requesterId: 'UREQ', channelId: 'C0OPS' },
    ]);
    expect(
      await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' }),
    ).toMatchObject({
      refusal: { reason: 'already_decided' },
    });
  });

  it('archives old finished requests to the audit log and still answers status for them', async () => {
    const t = setup();
    const request = await submitted(t);
    await t.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'reject' });
    await t.service.idle();
    expect(await t.service.archiveFinished()).toBe(0);
    t.clock.advance(31 * 86_400_000);
    expect(await t.service.archiveFinished()).toBe(1);
    expect(t.store.get(request.id)).toBeUndefined();
    expect(await t.service.status(request.id)).toMatchObject({
      archived: true,
      request: { id: request.id, status: 'rejected' },
    });
  });
});
