import { describe, expect, it } from 'vitest';
import { clientTokenFor } from '../../src/domain/batches.js';
import {
  forecastApplyPhase,
  nextPhaseDue,
  nextPhaseView,
  ownSteps,
  planNextPhase,
} from '../../src/domain/operations/phases.js';
import { summarizeRequest } from '../../src/domain/operations/summary.js';
import type { MutationRequest } from '../../src/domain/request.js';
import { doneStep, makeRequest, verifyStep } from '../support/request-fixtures.js';

// Plans with phases (issue 21): the restart after an attach, derived from the attach's journal.

const NOW = new Date('2026-11-01T10:20:00.000Z');
const ids = ['i-run1', 'i-run2', 'i-run3', 'i-stop1', 'i-fail1', 'i-odd1', 'i-unread1'];

/** An attach of seven instances, answered and read back; restart in waves of 2 was asked for. */
function rotation(extra: Partial<MutationRequest> = {}): MutationRequest {
  const read = verifyStep(
    1,
    ids.filter((id) => id !== 'i-unread1' && id !== 'i-fail1'),
    {
      'i-odd1': 'someone-else',
    },
  );
  return makeRequest({
    instanceIds: ids,
    status: 'executing',
    next: { kind: 'restart', restart: { waveSize: 2, waveTimeoutMs: 60_000 } },
    steps: [
      doneStep(0, ids, { 'i-fail1': 'InvalidInstanceStatus' }),
      {
        ...read,
        outcomes: (read.outcomes ?? []).map((o) => ({
          ...o,
          observed: { ...o.observed, status: o.instanceId === 'i-stop1' ? 'STOPPED' : 'RUNNING' },
        })),
      },
    ],
    ...extra,
  });
}

describe('planNextPhase: a restart after the attach', () => {
  it('restarts the instances bound while RUNNING and verified, and says why it leaves the others', () => {
    const planned = planNextPhase(rotation(), NOW);
    expect(planned.next?.planned).toEqual({
      at: NOW.toISOString(),
      instanceIds: ['i-run1', 'i-run2', 'i-run3'],
      excluded: [
        { instanceId: 'i-fail1', reason: 'not_bound' },
        { instanceId: 'i-odd1', reason: 'not_verified' },
        { instanceId: 'i-unread1', reason: 'not_verified' },
        { instanceId: 'i-stop1', reason: 'stopped' },
      ],
    });
    const added = planned.steps.slice(2);
    expect(added.map((s) => [s.index, s.phase, s.wave, s.action, s.instanceIds, s.kind])).toEqual([
      [2, 2, 0, 'RebootInstances', ['i-run1', 'i-run2'], 'restart'],
      [3, 3, 0, 'WaitRunning', ['i-run1', 'i-run2'], 'restart'],
      [4, 4, 1, 'RebootInstances', ['i-run3'], 'restart'],
      [5, 5, 1, 'WaitRunning', ['i-run3'], 'restart'],
    ]);
    // ClientTokens continue the request's own: never one of the attach's.
    expect(added[0]?.clientToken).toBe(clientTokenFor('req-abc123', 2));
    expect(added[2]?.clientToken).toBe(clientTokenFor('req-abc123', 4));
    expect(added[1]?.timeoutMs).toBe(60_000);
    expect(added.every((s) => s.state === 'planned' && s.sendCount === 0)).toBe(true);
  });

  it('derives the same steps every time (a resume, another replica), and only once', () => {
    const a = planNextPhase(rotation(), NOW);
    const b = planNextPhase(rotation(), new Date(NOW.getTime() + 5_000));
    expect(b.steps).toEqual(a.steps);
    expect(planNextPhase(a, NOW)).toBe(a);
    expect(nextPhaseDue(a)).toBe(false);
  });

  it('waits until every step of the attach is answered, the read-backs included', () => {
    const r = rotation();
    const reading = {
      ...r,
      steps: [r.steps[0], { ...r.steps[1], state: 'sent' }],
    } as MutationRequest;
    expect(nextPhaseDue(reading)).toBe(false);
    expect(planNextPhase(reading, NOW)).toBe(reading);
    expect(nextPhaseDue(r)).toBe(true);
    expect(nextPhaseDue(makeRequest({ steps: r.steps }))).toBe(false);
  });

  it('plans no steps when nothing can restart, listing every instance left out', () => {
    const r = rotation({
      instanceIds: ['i-stop1'],
      steps: [doneStep(0, ['i-stop1']), verifyStep(1, ['i-stop1'])],
    });
    const stopped = {
      ...r,
      steps: [
        r.steps[0],
        {
          ...r.steps[1],
          outcomes: [
            {
              instanceId: 'i-stop1',
              ok: true,
              observed: { status: 'STOPPED', keyPairName: 'ops-key', keyPairId: 'kp-ops-key' },
            },
          ],
        },
      ],
    } as MutationRequest;
    const planned = planNextPhase(stopped, NOW);
    expect(planned.steps).toHaveLength(2);
    expect(planned.next?.planned?.excluded).toEqual([{ instanceId: 'i-stop1', reason: 'stopped' }]);
  });

  it('keeps the attach summary to its own steps and shows the restart as a request of its own', () => {
    const planned = planNextPhase(rotation(), NOW);
    expect(ownSteps(planned)).toHaveLength(2);
    expect(summarizeRequest(planned).total).toBe(7);
    expect(summarizeRequest(planned).counts.ok).toBe(6);
    const view = nextPhaseView(planned);
    expect(view).toMatchObject({ kind: 'restart', instanceIds: ['i-run1', 'i-run2', 'i-run3'] });
    expect(view?.steps.map((s) => s.index)).toEqual([2, 3, 4, 5]);
    expect(view?.next).toBeUndefined();
    expect(summarizeRequest(view as MutationRequest).counts.pending).toBe(3);
    expect(nextPhaseView(rotation())).toBeUndefined();
  });
});

describe('planNextPhase: apply now after the attach (then=apply-now)', () => {
  const key = (keyPairId: string, keyPairName: string) => ({
    keyPairId,
    keyPairName,
    fingerprint: `fp-${keyPairId}`,
    type: 'ssh-ed25519' as const,
    blob: 'AAAA',
  });
  const applyNow = {
    user: 'root',
    key: key('kp-new', 'new'),
    replaces: [key('kp-old', 'old')],
    unknownReplaced: [],
  };
  const preview = {
    readAt: NOW.toISOString(),
    unread: [],
    instances: ids.map((instanceId) => ({
      instanceId,
      instanceName: instanceId,
      status: instanceId === 'i-stop1' ? 'STOPPED' : 'RUNNING',
      osType: 'Linux',
      ...(instanceId === 'i-run2' ? { keyPairId: 'kp-old', keyPairName: 'old' } : {}),
      ...(instanceId === 'i-run3' ? { keyPairId: 'kp-gone', keyPairName: 'gone' } : {}),
    })),
  } as unknown as MutationRequest['preview'];

  it('applies on the bound, verified ones, removing the known replaced key where the preview showed it', () => {
    const planned = planNextPhase(rotation({ next: { kind: 'apply' }, applyNow, preview }), NOW);
    expect(planned.next?.planned?.instanceIds).toEqual(['i-run1', 'i-run2', 'i-run3']);
    expect(planned.next?.planned?.excluded).toEqual([
      { instanceId: 'i-fail1', reason: 'not_bound' },
      { instanceId: 'i-odd1', reason: 'not_verified' },
      { instanceId: 'i-unread1', reason: 'not_verified' },
      { instanceId: 'i-stop1', reason: 'stopped' },
    ]);
    const added = planned.steps.slice(2);
    expect(added.map((s) => [s.index, s.phase, s.action, s.instanceIds, s.kind])).toEqual([
      [2, 2, 'CheckAssistant', ['i-run1', 'i-run2', 'i-run3'], 'apply'],
      [3, 3, 'RunCommand', ['i-run1', 'i-run3'], 'apply'],
      [4, 3, 'RunCommand', ['i-run2'], 'apply'],
      [5, 4, 'InvocationResults', ['i-run1', 'i-run3'], 'apply'],
      [6, 4, 'InvocationResults', ['i-run2'], 'apply'],
    ]);
    // Only the key the bot knows is removed; its name continues the request's step indexes.
    expect(added.map((s) => s.replaces)).toEqual([
      undefined,
      undefined,
      'kp-old',
      undefined,
      undefined,
    ]);
    expect(added[1]?.invocationName).toBe('attach-key-bot-req-abc123-r3');
    expect(added[3]?.invocationStep).toBe(3);
    expect(added[4]?.invocationStep).toBe(4);
    expect(nextPhaseView(planned)?.kind).toBe('apply');
  });

  it('forecasts, before the attach ran, the script on every Running instance', () => {
    const pending = makeRequest({
      instanceIds: ids,
      next: { kind: 'apply' },
      applyNow,
      preview,
    });
    const forecast = forecastApplyPhase(pending);
    expect(forecast?.kind).toBe('apply');
    expect(forecast?.instanceIds).toEqual(ids.filter((id) => id !== 'i-stop1'));
    expect(
      forecast?.steps.filter((s) => s.replaces === 'kp-old').flatMap((s) => s.instanceIds),
    ).toEqual(['i-run2']);
    expect(forecastApplyPhase(rotation())).toBeUndefined();
  });
});
