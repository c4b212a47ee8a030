import { describe, expect, it } from 'vitest';
import { planApplyNow } from '../../src/domain/operations/apply-now.js';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import { performApplyStep } from '../../src/service/apply-steps.js';
import { manualClock, memoryEcs } from '../support/memory-ports.js';
import { makeRequest } from '../support/request-fixtures.js';

// What each apply-now step does against the ECS port: who is left out by the check, RunCommand
// sent once (and looked up by name before any resend), results read one page a poll.

const retryable = (code: string) => Object.assign(new Error(code), { code, retryable: true });

function setup(ids: string[]) {
  const clock = manualClock();
  const ecs = memoryEcs({ now: clock.now });
  for (const id of ids) ecs.addInstance({ instanceId: id });
  const steps = planApplyNow({ id: 'ak-steps1', instanceIds: ids });
  const request: MutationRequest = makeRequest({
    id: 'ak-steps1',
    kind: 'apply',
    instanceIds: ids,
    steps,
    applyNow: {
      user: 'root',
      key: {
        keyPairId: 'kp-1',
        keyPairName: 'ops-key',
        fingerprint: 'aa',
        type: 'ssh-ed25519',
        blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIA==',
      },
      replaces: [],
      unknownReplaced: [],
    },
  });
  const hooks = { now: clock.now, sleep: clock.sleep, checkpoint: async () => {} };
  return { clock, ecs, request, hooks };
}

/** The request with a step answered as the journal would keep it. */
function answered(request: MutationRequest, index: number, answer: Partial<Step>): MutationRequest {
  return {
    ...request,
    steps: request.steps.map((s) =>
      s.index === index ? { ...s, state: 'done', sendCount: 1, ...answer } : s,
    ),
  };
}

describe('apply-now steps', () => {
  it('leaves out what cannot take a command, and runs the rest once', async () => {
    const { ecs, request, hooks } = setup(['i-a', 'i-b', 'i-c']);
    ecs.addInstance({ instanceId: 'i-b', agent: 'Lost' });
    ecs.addInstance({ instanceId: 'i-c', status: 'STOPPED' });
    const [check, run] = request.steps as [Step, Step];
    const checked = await performApplyStep(ecs, request, { ...check, sendCount: 1 }, hooks);
    expect(checked.outcomes).toEqual([
      { instanceId: 'i-a', ok: true, observed: { status: 'RUNNING' } },
      expect.objectContaining({
        instanceId: 'i-b',
        ok: false,
        code: 'CloudAssistantNotRunning',
        message: 'Lost',
      }),
      expect.objectContaining({
        instanceId: 'i-c',
        ok: false,
        code: 'InstanceNotRunning',
        message: 'STOPPED',
      }),
    ]);
    const after = answered(request, check.index, { outcomes: checked.outcomes });
    const sent = await performApplyStep(ecs, after, { ...run, sendCount: 1 }, hooks);
    expect(sent.invocationId).toMatch(/^ivk-/);
    expect(sent.outcomes).toEqual([{ instanceId: 'i-a', ok: true }]);
    expect(ecs.callsTo('RunCommand').map((c) => c.instanceIds)).toEqual([['i-a']]);
    // A fresh send does not look first: nothing can have gone out before.
    expect(ecs.callsTo('DescribeInvocations')).toHaveLength(0);
  });

  it('finds the invocation by name on a resume instead of sending again', async () => {
    const { ecs, request, hooks } = setup(['i-a']);
    const [check, run] = request.steps as [Step, Step];
    const after = answered(request, check.index, { outcomes: [{ instanceId: 'i-a', ok: true }] });
    const first = await performApplyStep(ecs, after, { ...run, sendCount: 1 }, hooks);
    const resumed = await performApplyStep(ecs, after, { ...run, sendCount: 2 }, hooks);
    expect(resumed.invocationId).toBe(first.invocationId);
    expect(ecs.callsTo('RunCommand')).toHaveLength(1);
    expect(ecs.callsTo('DescribeInvocations')).toHaveLength(1);
  });

  it('after a transient failure, looks the name up before a resend: one invocation either way', async () => {
    const { ecs, request, hooks } = setup(['i-a']);
    const [check, run] = request.steps as [Step, Step];
    const after = answered(request, check.index, { outcomes: [{ instanceId: 'i-a', ok: true }] });
    ecs.failNextCall('RunCommand', retryable('InternalServiceTimeout'));
    const sent = await performApplyStep(ecs, after, { ...run, sendCount: 1 }, hooks);
    expect(ecs.callsTo('RunCommand')).toHaveLength(2);
    expect(ecs.callsTo('DescribeInvocations')).toHaveLength(1);
    expect(sent.invocationId).toMatch(/^ivk-/);
    // A refusal that cannot be retried fails the step at once.
    ecs.failNextCall(
      'RunCommand',
      Object.assign(new Error('no'), { code: 'AccessDenied', retryable: false }),
    );
    await expect(
      performApplyStep(ecs, after, { ...run, sendCount: 1 }, hooks),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });

  it('reads results one page a poll, with the script’s own report per instance', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `i-p${String(i).padStart(3, '0')}`);
    const { ecs, request, hooks } = setup(ids);
    const checks = request.steps.filter((s) => s.action === 'CheckAssistant');
    let state = request;
    for (const check of checks) {
      const answer = await performApplyStep(ecs, state, { ...check, sendCount: 1 }, hooks);
      state = answered(state, check.index, { outcomes: answer.outcomes });
    }
    const run = state.steps.find((s) => s.action === 'RunCommand') as Step;
    const sent = await performApplyStep(ecs, state, { ...run, sendCount: 1 }, hooks);
    state = answered(state, run.index, {
      invocationId: sent.invocationId,
      outcomes: sent.outcomes,
    });
    const read = state.steps.find((s) => s.action === 'InvocationResults') as Step;
    const results = await performApplyStep(
      ecs,
      state,
      { ...read, sendCount: 1, sentAt: hooks.now().toISOString() },
      hooks,
    );
    expect(ecs.callsTo('DescribeInvocationResults')).toHaveLength(2);
    expect(results.outcomes).toHaveLength(150);
    expect(results.outcomes.every((o) => o.ok && o.applied?.effect === 'added')).toBe(true);
  });
});
