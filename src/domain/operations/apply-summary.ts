import type { AppliedKey, InstanceOutcome, MutationRequest, Step } from '../request.js';
import { callOf } from './summary.js';

// What an apply now did to each instance, read from its journal: in effect now (key added, or
// already there), failed (with the exit code and last output line), timed out, left out (why),
// unconfirmed (a call failed as a whole) or still pending. Codes and reasons only: the renderers
// word them. Instances left out at submit (the request's `excluded`) are counted as left out too.

/** A check's verdicts on an instance that cannot take a command now. */
export const LEFT_OUT = {
  /** The Cloud Assistant agent is not Running (message: its status, or "absent"). */
  noAssistant: 'CloudAssistantNotRunning',
  /** The instance is not RUNNING (observed.status says what it is). */
  notRunning: 'InstanceNotRunning',
  /** An earlier phase of the same plan did not bind the key to it. */
  notBound: 'KeyNotBound',
} as const;

/** What Cloud Assistant says about a command on an instance, as outcome codes. */
export const COMMAND = {
  failed: 'CommandFailed',
  timedOut: 'CommandTimeout',
  /** Still Pending or Running when the bot stopped polling. */
  noResult: 'CommandNoResult',
} as const;

export type LeftOutReason =
  | 'no_assistant'
  | 'not_running'
  | 'not_bound'
  | 'not_verified'
  | 'stopped'
  | 'status_unknown'
  | 'check_failed';

export type ApplyResult =
  | { instanceId: string; state: 'in_effect'; applied?: AppliedKey }
  | {
      instanceId: string;
      state: 'failed';
      code: string;
      message: string;
      exitCode?: number;
      output?: string;
    }
  /** `message`: the last status seen when there was no final one. */
  | { instanceId: string; state: 'timed_out'; code: string; message?: string }
  | {
      instanceId: string;
      state: 'left_out';
      reason: LeftOutReason;
      /** The agent's or the instance's status, when that is why. */
      status?: string;
      code?: string;
      message?: string;
      /** The call that failed (`ecs:DescribeCloudAssistantStatus`), when the check itself did. */
      call?: string;
    }
  /** `call`: the call that failed as a whole, as its IAM permission names it. */
  | { instanceId: string; state: 'unconfirmed'; code: string; message?: string; call: string }
  | { instanceId: string; state: 'pending' };

export interface ApplySummary {
  total: number;
  results: ApplyResult[];
  counts: Record<ApplyResult['state'], number>;
  /** Volcengine RequestIds of the answers, in step order, without repeats. */
  apiRequestIds: string[];
}

export function summarizeApply(
  request: Pick<MutationRequest, 'instanceIds' | 'steps' | 'excluded'>,
): ApplySummary {
  const find = indexSteps(request.steps);
  const results: ApplyResult[] = [...new Set(request.instanceIds)].map((id) => resultOf(id, find));
  for (const e of request.excluded ?? []) {
    if (results.some((r) => r.instanceId === e.instanceId)) continue;
    const reason: LeftOutReason =
      e.reason === 'no_assistant' ||
      e.reason === 'not_running' ||
      e.reason === 'stopped' ||
      e.reason === 'not_bound' ||
      e.reason === 'not_verified'
        ? e.reason
        : 'status_unknown';
    results.push({
      instanceId: e.instanceId,
      state: 'left_out',
      reason,
      ...(e.status ? { status: e.status } : {}),
    });
  }
  const counts = { in_effect: 0, failed: 0, timed_out: 0, left_out: 0, unconfirmed: 0, pending: 0 };
  for (const r of results) counts[r.state]++;
  const apiRequestIds = new Set<string>();
  for (const step of request.steps) {
    if (step.apiRequestId) apiRequestIds.add(step.apiRequestId);
    if (step.error?.requestId) apiRequestIds.add(step.error.requestId);
  }
  return { total: results.length, results, counts, apiRequestIds: [...apiRequestIds] };
}

/**
 * Where a restart still helps: instances the key did not reach now but that were RUNNING (left
 * out for their agent, failed, timed out, unconfirmed). Left out as stopped or not running: no.
 */
export function applyRestartCandidates(summary: ApplySummary): string[] {
  return summary.results
    .filter(
      (r) =>
        r.state === 'failed' ||
        r.state === 'timed_out' ||
        r.state === 'unconfirmed' ||
        (r.state === 'left_out' && r.reason === 'no_assistant'),
    )
    .map((r) => r.instanceId);
}

type Lookup = (action: Step['action'], instanceId: string) => Step | undefined;

function indexSteps(steps: readonly Step[]): Lookup {
  const byAction = new Map<string, Step>();
  for (const step of steps) {
    for (const id of step.instanceIds) {
      const key = `${step.action}\n${id}`;
      if (!byAction.has(key)) byAction.set(key, step);
    }
  }
  return (action, id) => byAction.get(`${action}\n${id}`);
}

function outcomeIn(step: Step, instanceId: string): InstanceOutcome | undefined {
  return step.outcomes?.find((o) => o.instanceId === instanceId);
}

function resultOf(instanceId: string, find: Lookup): ApplyResult {
  const pending = { instanceId, state: 'pending' as const };
  const check = find('CheckAssistant', instanceId);
  if (!check || check.state === 'planned' || check.state === 'sent') return pending;
  if (check.state === 'failed') {
    const { code = 'UnexpectedError', message } = check.error ?? {};
    const call = check.error?.call ?? callOf(check.action);
    return {
      instanceId,
      state: 'left_out',
      reason: 'check_failed',
      code,
      call,
      ...(message ? { message } : {}),
    };
  }
  const verdict = outcomeIn(check, instanceId);
  if (verdict && !verdict.ok) return leftOut(instanceId, verdict);
  const run = find('RunCommand', instanceId);
  if (!run || run.state === 'planned' || run.state === 'sent') return pending;
  if (run.state === 'failed' || run.state === 'skipped') {
    const { code = 'UnexpectedError', message } = run.error ?? {};
    const call = run.error?.call ?? callOf(run.action);
    return { instanceId, state: 'unconfirmed', code, call, ...(message ? { message } : {}) };
  }
  const read = find('InvocationResults', instanceId);
  if (!read || read.state === 'planned' || read.state === 'sent') return pending;
  if (read.state === 'failed' || read.state === 'skipped') {
    const { code = 'UnexpectedError', message } = read.error ?? {};
    const call = read.error?.call ?? callOf(read.action);
    return { instanceId, state: 'unconfirmed', code, call, ...(message ? { message } : {}) };
  }
  const outcome = outcomeIn(read, instanceId);
  if (!outcome) return { instanceId, state: 'timed_out', code: COMMAND.noResult };
  if (outcome.ok) {
    return {
      instanceId,
      state: 'in_effect',
      ...(outcome.applied ? { applied: outcome.applied } : {}),
    };
  }
  if (outcome.code === COMMAND.timedOut || outcome.code === COMMAND.noResult) {
    return { instanceId, state: 'timed_out', code: outcome.code, message: outcome.message };
  }
  return {
    instanceId,
    state: 'failed',
    code: outcome.code,
    message: outcome.message,
    ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
    ...(outcome.output !== undefined ? { output: outcome.output } : {}),
  };
}

function leftOut(
  instanceId: string,
  verdict: Extract<InstanceOutcome, { ok: false }>,
): ApplyResult {
  const status = verdict.code === LEFT_OUT.notRunning ? verdict.observed?.status : verdict.message;
  const reason: LeftOutReason =
    verdict.code === LEFT_OUT.noAssistant
      ? 'no_assistant'
      : verdict.code === LEFT_OUT.notRunning
        ? 'not_running'
        : verdict.code === LEFT_OUT.notBound
          ? 'not_bound'
          : 'check_failed';
  return {
    instanceId,
    state: 'left_out',
    reason,
    ...(status ? { status } : {}),
    ...(reason === 'check_failed' ? { code: verdict.code, message: verdict.message } : {}),
  };
}
