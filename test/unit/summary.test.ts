import { describe, expect, it } from 'vitest';
import { summarizePreview } from '../../src/domain/operations/preview-summary.js';
import { planRestart } from '../../src/domain/operations/restart.js';
import { restartCandidates, summarizeRequest } from '../../src/domain/operations/summary.js';
import { planUndo } from '../../src/domain/operations/undo.js';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import { doneStep, makeRequest, verifyStep } from '../support/request-fixtures.js';

// Reading any request's journal per instance: the first step that did not go well, or ok with
// what the read-back (or the restart wait) saw.

const step = (index: number, ids: string[], rest: Partial<Step>): Step => ({
  ...doneStep(index, ids),
  outcomes: ids.map((instanceId) => ({ instanceId, ok: true as const })),
  ...rest,
});

describe('summarizeRequest', () => {
  it('splits instances into ok, failed, unconfirmed and pending, with the RequestIds', () => {
    const r = makeRequest({
      instanceIds: ['i-a', 'i-b', 'i-c', 'i-d', 'i-e', 'i-f', 'i-g'],
      steps: [
        step(0, ['i-a', 'i-b', 'i-c'], {
          apiRequestId: 'RID-0',
          outcomes: [
            { instanceId: 'i-a', ok: true },
            { instanceId: 'i-b', ok: false, code: 'InvalidInstanceStatus', message: 'bad status' },
            // i-c is not listed: the API lists failures only, so it succeeded
          ],
        }),
        step(1, ['i-d', 'i-e'], {
          state: 'failed',
          error: { code: 'InvalidKeyPair.NotFound', message: 'no such key', requestId: 'RID-1' },
        }),
        step(2, ['i-f'], { state: 'sent', outcomes: undefined, apiRequestId: undefined }),
        step(3, ['i-g'], { apiRequestId: 'RID-0' }),
      ],
    });
    const s = summarizeRequest(r);
    expect(s.total).toBe(7);
    expect(s.results.map((x) => [x.instanceId, x.state])).toEqual([
      ['i-a', 'ok'],
      ['i-b', 'failed'],
      ['i-c', 'ok'],
      ['i-d', 'unconfirmed'],
      ['i-e', 'unconfirmed'],
      ['i-f', 'pending'],
      ['i-g', 'ok'],
    ]);
    expect(s.results[1]).toEqual({
      instanceId: 'i-b',
      state: 'failed',
      code: 'InvalidInstanceStatus',
      message: 'bad status',
      call: 'ecs:AttachKeyPair',
    });
    // Codes, the API's message and the call that answered: the renderers explain them per language.
    expect(s.results[3]).toEqual({
      instanceId: 'i-d',
      state: 'unconfirmed',
      code: 'InvalidKeyPair.NotFound',
      message: 'no such key',
      call: 'ecs:AttachKeyPair',
    });
    expect(s.counts).toEqual({ ok: 3, failed: 1, unconfirmed: 2, not_started: 0, pending: 1 });
    expect(s.apiRequestIds).toEqual(['RID-0', 'RID-1']);
  });

  it('keeps an unknown code with its API message, and ignores outcomes of ids outside the step', () => {
    const s = summarizeRequest(
      makeRequest({
        instanceIds: ['i-a'],
        steps: [
          step(0, ['i-a'], {
            outcomes: [
              { instanceId: 'i-a', ok: false, code: 'Odd.Code', message: 'odd thing' },
              { instanceId: 'i-zzz', ok: false, code: 'InvalidInstance.NotFound', message: 'x' },
            ],
          }),
        ],
      }),
    );
    expect(s.results).toEqual([
      {
        instanceId: 'i-a',
        state: 'failed',
        code: 'Odd.Code',
        message: 'odd thing',
        call: 'ecs:AttachKeyPair',
      },
    ]);
  });

  it('counts every instance of an unplanned request as pending', () => {
    const s = summarizeRequest(makeRequest({ instanceIds: ['i-a', 'i-b'] }));
    expect(s.counts.pending).toBe(2);
  });

  it('verifies each bound instance, flags another key and notes what the read did not list', () => {
    const ids = ['i-a', 'i-b', 'i-c'];
    const verify = verifyStep(1, ids, { 'i-b': 'other-key' });
    verify.outcomes = verify.outcomes?.filter((o) => o.instanceId !== 'i-c');
    const s = summarizeRequest(
      makeRequest({ instanceIds: ids, steps: [doneStep(0, ids), verify] }),
    );
    expect(s.results.map((r) => (r.state === 'ok' ? r.verification : r.state))).toEqual([
      { state: 'verified' },
      { state: 'mismatch', seen: { keyPairName: 'other-key', keyPairId: 'kp-other-key' } },
      { state: 'unverified', cause: { kind: 'not_listed' } },
    ]);
    expect(s.mismatched).toBe(1);
  });

  it('reads each batch by its own read-back: one still due or failed leaves only its batch unverified', () => {
    const ids = ['i-a', 'i-b', 'i-c', 'i-d'];
    const batch = (index: number, of: string[]) => doneStep(index, of);
    const read = (index: number, of: string[], verifies: number, rest: Partial<Step> = {}) => ({
      ...verifyStep(index, of),
      phase: 0,
      verifies,
      ...rest,
    });
    const steps = [
      batch(0, ['i-a']),
      batch(1, ['i-b']),
      batch(2, ['i-c', 'i-d']),
      read(3, ['i-a'], 0),
      read(4, ['i-b'], 1, { state: 'sent', outcomes: undefined }),
      read(5, ['i-c', 'i-d'], 2, {
        state: 'failed',
        outcomes: undefined,
        error: { code: 'Throttling', message: 'slow down' },
      }),
    ];
    const s = summarizeRequest(makeRequest({ instanceIds: ids, steps }));
    expect(s.counts.ok).toBe(4);
    expect(s.results.map((r) => (r.state === 'ok' ? r.verification : r.state))).toEqual([
      { state: 'verified' },
      { state: 'unverified' },
      {
        state: 'unverified',
        cause: {
          kind: 'read_failed',
          code: 'Throttling',
          message: 'slow down',
          call: 'ecs:DescribeInstances',
        },
      },
      {
        state: 'unverified',
        cause: {
          kind: 'read_failed',
          code: 'Throttling',
          message: 'slow down',
          call: 'ecs:DescribeInstances',
        },
      },
    ]);
    // The statuses read back by every batch's read count for a restart.
    expect(restartCandidates({ instanceIds: ids, steps }).running).toEqual(['i-a']);
  });

  it('verifies by id only: the same name on another key pair is a mismatch, a step without id proves nothing', () => {
    const ids = ['i-a', 'i-b'];
    const verify = verifyStep(1, ids);
    // i-a shows the name it was bound with, but on another key pair (renamed and replaced).
    const [first] = verify.outcomes ?? [];
    if (first) first.observed = { status: 'RUNNING', keyPairName: 'ops-key', keyPairId: 'kp-x' };
    const s = summarizeRequest(
      makeRequest({ instanceIds: ids, steps: [doneStep(0, ids), verify] }),
    );
    expect(s.results.map((r) => (r.state === 'ok' ? r.verification?.state : r.state))).toEqual([
      'mismatch',
      'verified',
    ]);
    const byName = summarizeRequest(
      makeRequest({
        instanceIds: ids,
        steps: [doneStep(0, ids, {}, { keyPairId: undefined }), verifyStep(1, ids)],
      }),
    );
    expect(byName.results.map((r) => (r.state === 'ok' ? r.verification : r.state))).toEqual([
      { state: 'unverified' },
      { state: 'unverified' },
    ]);
  });

  it('leaves every bound instance unverified, with the code, when the read-back failed', () => {
    const ids = ['i-a', 'i-b'];
    const verify: Step = {
      ...verifyStep(1, ids),
      state: 'failed',
      outcomes: undefined,
      error: { code: 'FlowLimitExceeded', message: 'throttled' },
    };
    const s = summarizeRequest(
      makeRequest({ instanceIds: ids, steps: [doneStep(0, ids), verify] }),
    );
    const cause = {
      kind: 'read_failed',
      code: 'FlowLimitExceeded',
      message: 'throttled',
      call: 'ecs:DescribeInstances',
    };
    expect(s.results.map((r) => (r.state === 'ok' ? r.verification : r.state))).toEqual([
      { state: 'unverified', cause },
      { state: 'unverified', cause },
    ]);
  });

  it('reads a restart: rebooted and back, failed, timed out, not started after a halt', () => {
    const ids = ['i-a', 'i-b', 'i-c', 'i-d'];
    const plan = planRestart(
      { id: 'req-r', instanceIds: ids },
      { waveSize: 2, waveTimeoutMs: 60_000 },
    );
    const [reboot0, wait0, reboot1, wait1] = plan;
    const steps: Step[] = [
      {
        ...(reboot0 as Step),
        state: 'done',
        outcomes: [
          { instanceId: 'i-a', ok: true },
          { instanceId: 'i-b', ok: false, code: 'InvalidInstanceStatus', message: 'stopped' },
        ],
      },
      {
        ...(wait0 as Step),
        state: 'done',
        outcomes: [
          { instanceId: 'i-a', ok: true, observed: { status: 'RUNNING', keyPairName: 'ops-key' } },
        ],
      },
      { ...(reboot1 as Step), state: 'skipped' },
      { ...(wait1 as Step), state: 'skipped' },
    ];
    const s = summarizeRequest({ instanceIds: ids, steps });
    expect(s.results.map((r) => r.state)).toEqual(['ok', 'failed', 'not_started', 'not_started']);
    expect(s.results[0]).toMatchObject({ observed: { keyPairName: 'ops-key' } });
  });
});

describe('restartCandidates', () => {
  it('restarts the bound RUNNING instances; stopped ones take the key at their next start', () => {
    const ids = ['i-run', 'i-stop', 'i-gone', 'i-unread'];
    const verify = verifyStep(1, ['i-run', 'i-stop'], {});
    const stop = verify.outcomes?.find((o) => o.instanceId === 'i-stop');
    if (stop?.observed) stop.observed.status = 'STOPPED';
    const r: MutationRequest = makeRequest({
      instanceIds: ids,
      steps: [doneStep(0, ids, { 'i-gone': 'InvalidInstance.NotFound' }), verify],
    });
    expect(restartCandidates(r)).toEqual({
      running: ['i-run'],
      stopped: ['i-stop'],
      unknown: ['i-unread'],
    });
  });
});

describe('planUndo', () => {
  it('leaves alone an instance whose earlier key pair is unknown, and ones the attach did not bind', () => {
    const ids = ['i-old', 'i-none', 'i-unread', 'i-failed'];
    const parent = makeRequest({
      instanceIds: ids,
      status: 'done',
      steps: [doneStep(0, ids, { 'i-failed': 'InvalidInstanceStatus' })],
      preview: {
        readAt: '2026-11-01T10:00:00.000Z',
        instances: [
          {
            instanceId: 'i-old',
            name: 'a',
            status: 'RUNNING',
            osType: 'Linux',
            keyPairId: 'kp-old',
            keyPairName: 'old',
            tags: [],
          },
          { instanceId: 'i-none', name: 'b', status: 'RUNNING', osType: 'Linux', tags: [] },
          { instanceId: 'i-failed', name: 'd', status: 'STOPPING', osType: 'Linux', tags: [] },
        ],
        unread: ['i-unread'],
        problems: [],
      },
    });
    const plan = planUndo('req-u', parent);
    expect(plan.instanceIds).toEqual(['i-old', 'i-none']);
    expect(plan.leftAlone).toEqual([{ instanceId: 'i-unread', reason: 'previous_key_unknown' }]);
    expect(
      plan.steps.map((s) => [s.action, s.instanceIds, s.keyPairId ?? s.keyPairName, s.clientToken]),
    ).toEqual([
      ['AttachKeyPair', ['i-old'], 'kp-old', 'req-u-b0'],
      ['DetachKeyPair', ['i-none'], 'ops-key', 'req-u-b1'],
      // After the batches (their indexes and ClientTokens as before), a read-back of each.
      ['Verify', ['i-old'], undefined, undefined],
      ['Verify', ['i-none'], undefined, undefined],
    ]);
    expect(plan.restores).toEqual([{ keyPairId: 'kp-old', keyPairName: 'old', count: 1 }]);
  });

  it('leaves alone, given what they show now, instances re-keyed since or not readable now', () => {
    const ids = ['i-same', 'i-rekeyed', 'i-gone', 'i-unread'];
    const snapshot = (instanceId: string, key?: string) => ({
      instanceId,
      name: instanceId,
      status: 'RUNNING',
      osType: 'Linux',
      tags: [],
      ...(key ? { keyPairId: key, keyPairName: key } : {}),
    });
    const parent = makeRequest({
      instanceIds: ids,
      keyPairId: 'kp-ops-key',
      status: 'done',
      steps: [doneStep(0, ids)],
      preview: {
        readAt: '2026-11-01T10:00:00.000Z',
        instances: ids.map((id) => snapshot(id, 'kp-old')),
        unread: [],
        problems: [],
      },
    });
    const now = {
      instances: [
        snapshot('i-same', 'kp-ops-key'),
        // Same name, another key pair: by id it is not the one the attach bound.
        { ...snapshot('i-rekeyed', 'kp-rotated'), keyPairName: 'ops-key' },
        snapshot('i-unread', 'kp-ops-key'),
      ],
      unread: ['i-unread'],
    };
    const plan = planUndo('req-u', parent, now);
    expect(plan.instanceIds).toEqual(['i-same']);
    expect(plan.leftAlone).toEqual([
      { instanceId: 'i-rekeyed', reason: 'key_changed_since' },
      { instanceId: 'i-gone', reason: 'key_unknown_now' },
      { instanceId: 'i-unread', reason: 'key_unknown_now' },
    ]);
    expect(plan.steps.map((s) => [s.action, s.instanceIds, s.keyPairId])).toEqual([
      ['AttachKeyPair', ['i-same'], 'kp-old'],
      ['Verify', ['i-same'], undefined],
    ]);
  });
});

describe('summarizePreview', () => {
  it('reads one preview afresh for another kind or other instances, however often it is asked', () => {
    const preview = {
      readAt: '2026-11-01T10:00:00.000Z',
      instances: [
        { instanceId: 'i-a', name: 'a', status: 'RUNNING', osType: 'Linux', tags: [] },
        { instanceId: 'i-b', name: 'b', status: 'STOPPED', osType: 'Linux', tags: [] },
      ],
      unread: [],
      problems: [],
    };
    const attach = makeRequest({ instanceIds: ['i-a', 'i-b'], preview });
    expect(summarizePreview(attach)?.noKeyPair).toEqual(['i-a', 'i-b']);
    expect(summarizePreview(attach)).toBe(summarizePreview(attach));
    const restart = { ...attach, kind: 'restart' as const };
    expect(summarizePreview(restart)).toMatchObject({
      ready: ['i-a'],
      wrongStatus: [{ instanceId: 'i-b', status: 'STOPPED' }],
    });
    const fewer = { ...attach, instanceIds: ['i-b', 'i-c'] };
    expect(summarizePreview(fewer)).toMatchObject({ noKeyPair: ['i-b'], notFound: ['i-c'] });
  });
});
