import { describe, expect, it } from 'vitest';
import { serviceRig, stock, submitted } from '../support/service-rig.js';

// Issue 19: the requester takes a pending request back; nobody else can, and nothing runs after.

describe('cancel', () => {
  it('lets the requester cancel a pending request: nobody can approve it, no reminder follows', async () => {
    const rig = serviceRig();
    const request = await submitted(rig, stock(rig, 1));
    const other = await rig.service.cancel({ requestId: request.id, userId: 'UAPP1' });
    expect(other).toEqual({
      ok: false,
      refusal: { reason: 'not_requester', requesterId: 'UREQ' },
    });
    expect((await rig.store.get(request.id))?.status).toBe('pending');

    const done = await rig.service.cancel({ requestId: request.id, userId: 'UREQ' });
    expect(done).toMatchObject({
      ok: true,
      request: { status: 'cancelled', cancelled: { by: 'UREQ', at: '2026-11-28T09:00:00.000Z' } },
    });
    await rig.service.idle();
    expect(rig.notifier.updates.at(-1)?.status).toBe('cancelled');
    expect(rig.audit.events.map((e) => e.type)).toEqual(['requested', 'cancelled']);
    expect(rig.audit.events[1]).toMatchObject({ actor: 'UREQ', requestId: request.id });

    const approve = await rig.service.decide({
      requestId: request.id,
      userId: 'UAPP1',
      kind: 'approve',
    });
    expect(approve).toEqual({
      ok: false,
      refusal: { reason: 'cancelled', by: 'UREQ', at: '2026-11-28T09:00:00.000Z' },
    });
    rig.clock.advance(40 * 60_000);
    expect(await rig.service.remindDue()).toBe(0);
    expect(await rig.service.expireDue()).toBe(0);
    expect(rig.ecs.callsTo('AttachKeyPair')).toHaveLength(0);
    expect(await rig.store.listOpen()).toEqual([]);
  });

  it('refuses once approved, and a second cancel', async () => {
    const rig = serviceRig({ policy: { minApprovals: 2 } });
    const request = await submitted(rig, stock(rig, 1));
    await rig.service.decide({ requestId: request.id, userId: 'UAPP1', kind: 'approve' });
    // One approval of two: still pending, still cancellable.
    expect((await rig.service.cancel({ requestId: request.id, userId: 'UREQ' })).ok).toBe(true);
    expect(await rig.service.cancel({ requestId: request.id, userId: 'UREQ' })).toEqual({
      ok: false,
      refusal: { reason: 'not_cancellable', status: 'cancelled' },
    });
    const second = await submitted(rig, stock(rig, 1));
    await rig.service.decide({ requestId: second.id, userId: 'UAPP1', kind: 'approve' });
    await rig.service.decide({ requestId: second.id, userId: 'UAPP2', kind: 'approve' });
    await rig.service.idle();
    expect(await rig.service.cancel({ requestId: second.id, userId: 'UREQ' })).toEqual({
      ok: false,
      refusal: { reason: 'not_cancellable', status: 'done' },
    });
    expect(await rig.service.cancel({ requestId: 'ak-nope', userId: 'UREQ' })).toEqual({
      ok: false,
      refusal: { reason: 'unknown_request', requestId: 'ak-nope' },
    });
  });
});
