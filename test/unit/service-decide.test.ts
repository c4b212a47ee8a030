import { describe, expect, it } from 'vitest';
import { approvedAndRun, serviceRig, stock, submitted } from '../support/service-rig.js';

describe('decisions', () => {
  it('approves with one approval by default, runs once, and tells the requester', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 2));
    const done = await approvedAndRun(rig, request.id, ['UAPP1']);
    expect(done.status).toBe('done');
    expect(done.decision).toMatchObject({ kind: 'approved', by: 'UAPP1' });
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(1);
    expect(rig.notifier.notes.map((n) => n.news)).toEqual(['approved', 'results']);
    expect(rig.audit.events.map((e) => e.type)).toContain('approved');
  });

  it('needs a quorum of distinct approvers; a second click by the same one is refused', async () => {
    const rig = serviceRig({ policy: { minApprovals: 2 } });
    const request = await submitted(rig, stock(rig, 1));
    const first = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP1',
      kind: 'approve',
    });
    expect(first).toMatchObject({ ok: true, completed: false, request: { status: 'pending' } });
    const again = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP1',
      kind: 'approve',
    });
    expect(again).toEqual({
      ok: false,
      refusal: { reason: 'already_approved_by_you', approvals: 1, required: 2 },
    });
    await rig.service.idle();
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(0);
    const second = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP2',
      kind: 'approve',
    });
    expect(second).toMatchObject({ ok: true, completed: true, request: { status: 'approved' } });
    await rig.service.idle();
    const stored = await rig.store.get(request.id);
    expect(stored?.approval.approvals.map((a) => a.by)).toEqual(['UAPP1', 'UAPP2']);
    expect(stored?.status).toBe('done');
    expect(rig.audit.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['approval_counted', 'approved']),
    );
  });

  it('starts execution exactly once under 20 concurrent clicks with a quorum of 2', async () => {
    const rig = serviceRig({
      policy: { minApprovals: 2, approvers: Array.from({ length: 20 }, (_, i) => `UAPP${i}`) },
    });
    const request = await submitted(rig, stock(rig, 3));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rig.service.decide({ requestId: request.id, userId: `UAPP${i}`, kind: 'approve' }),
      ),
    );
    await rig.service.idle();
    expect(results.filter((r) => r.ok && r.completed)).toHaveLength(1);
    expect(results.filter((r) => r.ok && !r.completed)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.refusal.reason)).toEqual(
      Array(18).fill('already_decided'),
    );
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(1);
    expect(rig.audit.events.filter((e) => e.type === 'execution_started')).toHaveLength(1);
  });

  it('lets any allowed approver reject, and refuses non-approvers and self-approval', async () => {
    const rig = serviceRig({ policy: { minApprovals: 2 } });
    const request = await submitted(rig, stock(rig, 1), 'UAPP3');
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UNOBODY', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'not_approver' },
    });
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UAPP3', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'self_approval' },
    });
    await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    const rejected = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP2',
      kind: 'reject',
    });
    expect(rejected).toMatchObject({ ok: true, completed: true, request: { status: 'rejected' } });
    await rig.service.idle();
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(0);
    expect(rig.notifier.notes.map((n) => n.news)).toEqual(['rejected']);
  });

  it('counts the requester only when self-approval is allowed', async () => {
    const rig = serviceRig({ policy: { minApprovals: 2, allowSelfApproval: true } });
    const request = await submitted(rig, stock(rig, 1), 'UAPP1');
    await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    const second = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP2',
      kind: 'approve',
    });
    expect(second).toMatchObject({ ok: true, completed: true });
  });

  it('restricts approvers to those every matching rule names, through user groups', async () => {
    const rig = serviceRig({
      groups: { S0LEADS: ['ULEAD1', 'ULEAD2'], S0DOWN: undefined },
      policy: {
        rules: [
          {
            name: 'production',
            match: { tag: { key: 'env', value: 'prod' } },
            approvals: 2,
            approvers: ['S0LEADS', 'UAPP1'],
          },
        ],
      },
    });
    rig.ecs.addInstance({ instanceId: 'i-prod0001', tags: [{ key: 'env', value: 'prod' }] });
    stock(rig, 0);
    const request = await submitted(rig, ['i-prod0001']);
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UAPP2', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'not_approver' },
    });
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'ULEAD1', kind: 'approve' }),
    ).toMatchObject({
      ok: true,
      completed: false,
    });
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' }),
    ).toMatchObject({
      ok: true,
      completed: true,
    });
  });

  it('refuses a click it cannot judge because a user group cannot be resolved (fail closed)', async () => {
    const rig = serviceRig({ groups: { S0DOWN: undefined }, policy: { approvers: ['S0DOWN'] } });
    const request = await submitted(rig, stock(rig, 1));
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'approvers_unresolved', groups: ['S0DOWN'] },
    });
  });

  it('expires past the TTL once, and reminds at half the TTL once', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    rig.clock.advance(29 * 60_000);
    expect(await rig.service.remindDue()).toBe(0);
    rig.clock.advance(60_000);
    expect(await rig.service.remindDue()).toBe(1);
    expect(await rig.service.remindDue()).toBe(0);
    expect(rig.notifier.reminders.map((r) => r.id)).toEqual([request.id]);
    rig.clock.advance(30 * 60_000);
    const [a, b] = await Promise.all([rig.service.expireDue(), rig.service.expireDue()]);
    expect((a ?? 0) + (b ?? 0)).toBe(1);
    await rig.service.idle();
    expect((await rig.store.get(request.id))?.status).toBe('expired');
    expect(rig.notifier.notes.map((n) => n.news)).toEqual(['expired']);
    expect(
      await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' }),
    ).toMatchObject({
      ok: false,
      refusal: { reason: 'already_decided', status: 'expired' },
    });
  });

  it('answers an unknown id and a stopped store with a reason', async () => {
    const rig = serviceRig();
    expect(
      await rig.service.decide({ requestId: 'ak-nope', userId: 'UAPP1', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'unknown_request', requestId: 'ak-nope' },
    });
    rig.store.setDown(true);
    expect(
      await rig.service.decide({ requestId: 'ak-nope', userId: 'UAPP1', kind: 'approve' }),
    ).toEqual({
      ok: false,
      refusal: { reason: 'storage_unavailable' },
    });
  });
});
