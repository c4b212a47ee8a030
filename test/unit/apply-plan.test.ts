import { describe, expect, it } from 'vitest';
import {
  invocationNameFor,
  planApplyNow,
  RESULTS_WAIT_MS,
} from '../../src/domain/operations/apply-now.js';
import {
  applyRestartCandidates,
  summarizeApply,
} from '../../src/domain/operations/apply-summary.js';
import { planAttach } from '../../src/domain/operations/attach.js';
import type { InstanceOutcome, MutationRequest, Step } from '../../src/domain/request.js';

// The apply-now plan (checks of 100, RunCommand of 200 grouped by the key line it removes, one
// results read per invocation), its names, and what its journal says per instance.

const ids = (n: number, prefix = 'i-app') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe('planApplyNow', () => {
  it('plans 500 instances as 5 checks, 3 RunCommand calls and 3 results reads', () => {
    const steps = planApplyNow({ id: 'ak-plan1', instanceIds: ids(500) });
    const count = (action: Step['action']) => steps.filter((s) => s.action === action);
    expect(count('CheckAssistant').map((s) => [s.phase, s.instanceIds.length])).toEqual(
      Array(5).fill([0, 100]),
    );
    expect(count('RunCommand').map((s) => [s.phase, s.instanceIds.length])).toEqual([
      [1, 200],
      [1, 200],
      [1, 100],
    ]);
    const runs = count('RunCommand');
    expect(count('InvocationResults').map((s) => [s.phase, s.invocationStep, s.timeoutMs])).toEqual(
      runs.map((r) => [2, r.index, RESULTS_WAIT_MS]),
    );
    expect(runs.map((r) => r.invocationName)).toEqual([
      'attach-key-bot-ak-plan1-r5',
      'attach-key-bot-ak-plan1-r6',
      'attach-key-bot-ak-plan1-r7',
    ]);
    // No ClientToken: RunCommand has none (its name is how a resume finds it).
    expect(steps.every((s) => s.clientToken === undefined && s.state === 'planned')).toBe(true);
    // The same request id gives the same plan.
    expect(planApplyNow({ id: 'ak-plan1', instanceIds: ids(500) })).toEqual(steps);
  });

  it('groups instances by the key line the script removes', () => {
    const replaces = new Map([
      ['i-a', 'kp-old1'],
      ['i-c', 'kp-old1'],
      ['i-d', 'kp-old2'],
    ]);
    const steps = planApplyNow({ id: 'ak-g', instanceIds: ['i-a', 'i-b', 'i-c', 'i-d'], replaces });
    expect(
      steps.filter((s) => s.action === 'RunCommand').map((s) => [s.replaces, s.instanceIds]),
    ).toEqual([
      ['kp-old1', ['i-a', 'i-c']],
      [undefined, ['i-b']],
      ['kp-old2', ['i-d']],
    ]);
  });

  it('numbers its phases and steps from where it starts, so it can follow an attach in one plan', () => {
    const attach = planAttach({ id: 'ak-x', instanceIds: ['i-a'], keyPairName: 'k' });
    const apply = planApplyNow({
      id: 'ak-x',
      instanceIds: ['i-a'],
      firstPhase: 2,
      firstIndex: attach.length,
    });
    expect(apply.map((s) => [s.action, s.phase, s.index])).toEqual([
      ['CheckAssistant', 2, 2],
      ['RunCommand', 3, 3],
      ['InvocationResults', 4, 4],
    ]);
    expect(apply[2]?.invocationStep).toBe(3);
    expect(apply[1]?.invocationName).toBe('attach-key-bot-ak-x-r3');
    expect([...attach, ...apply].map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('names invocations within RunCommand’s rule, whatever the request id', () => {
    const rule = /^[A-Za-z_][\w-]{1,63}$/;
    for (const id of ['ak-k7f3c2a9', 'AK_Upper', 'x'.repeat(80), '请求-1']) {
      const name = invocationNameFor(id, 12);
      expect(name).toMatch(rule);
      expect(invocationNameFor(id, 12)).toBe(name);
      expect(invocationNameFor(id, 13)).not.toBe(name);
    }
  });
});

describe('summarizeApply', () => {
  const ok = (instanceId: string, extra: Partial<InstanceOutcome> = {}): InstanceOutcome =>
    ({ instanceId, ok: true, ...extra }) as InstanceOutcome;
  const no = (instanceId: string, code: string, message: string, extra = {}): InstanceOutcome => ({
    instanceId,
    ok: false,
    code,
    message,
    ...extra,
  });
  const step = (
    index: number,
    action: Step['action'],
    instanceIds: string[],
    extra: Partial<Step>,
  ) => ({ index, phase: 0, action, instanceIds, state: 'done', sendCount: 1, ...extra }) as Step;

  function journal(): Pick<MutationRequest, 'instanceIds' | 'steps' | 'excluded'> {
    const all = ['i-ok', 'i-there', 'i-fail', 'i-slow', 'i-noagent', 'i-down'];
    return {
      instanceIds: all,
      excluded: [{ instanceId: 'i-stopped', reason: 'stopped' }],
      steps: [
        step(0, 'CheckAssistant', all, {
          apiRequestId: 'RID-0',
          outcomes: [
            ok('i-ok'),
            ok('i-there'),
            ok('i-fail'),
            ok('i-slow'),
            no('i-noagent', 'CloudAssistantNotRunning', 'Lost', {
              observed: { status: 'RUNNING' },
            }),
            no('i-down', 'InstanceNotRunning', 'STOPPED', { observed: { status: 'STOPPED' } }),
          ],
        }),
        step(1, 'RunCommand', all.slice(0, 4), {
          invocationId: 'ivk-1',
          apiRequestId: 'RID-1',
          outcomes: ['i-ok', 'i-there', 'i-fail', 'i-slow'].map((id) => ok(id)),
        }),
        step(2, 'InvocationResults', all.slice(0, 4), {
          invocationStep: 1,
          apiRequestId: 'RID-2',
          outcomes: [
            ok('i-ok', { applied: { effect: 'added', removed: 1 } }),
            ok('i-there', { applied: { effect: 'present', removed: 0 } }),
            no('i-fail', 'CommandFailed', 'exit code 1', { exitCode: 1, output: 'mkdir: denied' }),
            no('i-slow', 'CommandTimeout', 'Timeout'),
          ],
        }),
      ],
    };
  }

  it('says per instance: in effect, failed (exit code, line), timed out, left out (why)', () => {
    const summary = summarizeApply(journal());
    expect(summary.counts).toEqual({
      in_effect: 2,
      failed: 1,
      timed_out: 1,
      left_out: 3,
      unconfirmed: 0,
      pending: 0,
    });
    const by = new Map(summary.results.map((r) => [r.instanceId, r]));
    expect(by.get('i-ok')).toEqual({
      instanceId: 'i-ok',
      state: 'in_effect',
      applied: { effect: 'added', removed: 1 },
    });
    expect(by.get('i-fail')).toMatchObject({
      state: 'failed',
      exitCode: 1,
      output: 'mkdir: denied',
    });
    expect(by.get('i-noagent')).toMatchObject({
      state: 'left_out',
      reason: 'no_assistant',
      status: 'Lost',
    });
    expect(by.get('i-down')).toMatchObject({
      state: 'left_out',
      reason: 'not_running',
      status: 'STOPPED',
    });
    expect(by.get('i-stopped')).toMatchObject({ state: 'left_out', reason: 'stopped' });
    expect(summary.apiRequestIds).toEqual(['RID-0', 'RID-1', 'RID-2']);
  });

  it('offers a restart where the key did not reach a RUNNING instance', () => {
    expect(applyRestartCandidates(summarizeApply(journal())).sort()).toEqual([
      'i-fail',
      'i-noagent',
      'i-slow',
    ]);
  });

  it('calls a RunCommand that failed as a whole unconfirmed, naming the call', () => {
    const j = journal();
    j.steps[1] = {
      ...(j.steps[1] as Step),
      state: 'failed',
      error: { code: 'AccessDenied', message: 'no' },
    };
    const r = summarizeApply(j).results.find((x) => x.instanceId === 'i-ok');
    expect(r).toEqual({
      instanceId: 'i-ok',
      state: 'unconfirmed',
      code: 'AccessDenied',
      message: 'no',
      call: 'ecs:RunCommand',
    });
  });
});
