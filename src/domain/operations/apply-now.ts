import { createHash } from 'node:crypto';
import type { Step } from '../request.js';
import { chunk, type StepSpec, toSteps } from './steps.js';

// Apply now: the bound key put in effect without a restart, through Cloud Assistant. Three
// phases: CheckAssistant reads the agents and the instances (DescribeCloudAssistantStatus and
// DescribeInstances, 100 ids a step) and leaves out what cannot take a command; RunCommand sends
// the script (200 ids a call, grouped by the key line it removes) to the instances that passed;
// InvocationResults polls each invocation until every instance is Success, Failed or Timeout.
//
// The phases are numbered from `firstPhase`, and each step finds what it needs in the steps of
// the same request (the checks, the RunCommand it reads), so the same steps can run as their own
// request after an attach's results (today) or as the phases after an attach's own in one plan.

/** DescribeCloudAssistantStatus takes at most 100 ids. */
export const CHECK_BATCH = 100;
/** RunCommand takes at most 200 ids; if any one cannot run it, the whole call fails. */
export const RUN_BATCH = 200;
/** RunCommand's Timeout (seconds): the script takes well under a second. */
export const COMMAND_TIMEOUT_SECONDS = 60;
/** How long results are polled for after RunCommand: the command's timeout, and a margin. */
export const RESULTS_WAIT_MS = (COMMAND_TIMEOUT_SECONDS + 120) * 1_000;

export interface ApplyPlanInput {
  id: string;
  /** The instances to put the key on, in order. */
  instanceIds: readonly string[];
  /** Per instance, the key pair id whose line the script removes (absent: none). */
  replaces?: ReadonlyMap<string, string>;
  /** Where the apply's phases start in the request's plan. */
  firstPhase?: number;
  /** Where its steps' indexes start: after the steps of the phases before it. */
  firstIndex?: number;
}

export function planApplyNow(input: ApplyPlanInput): Step[] {
  const first = input.firstPhase ?? 0;
  const ids = [...new Set(input.instanceIds)];
  const specs: StepSpec[] = chunk(ids, CHECK_BATCH).map((instanceIds) => ({
    phase: first,
    action: 'CheckAssistant',
    instanceIds,
  }));
  // One script per replaced key: instances are grouped by it, in the order they come.
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const replaced = input.replaces?.get(id) ?? '';
    groups.set(replaced, [...(groups.get(replaced) ?? []), id]);
  }
  const runs: StepSpec[] = [];
  for (const [replaced, members] of groups) {
    for (const instanceIds of chunk(members, RUN_BATCH)) {
      runs.push({
        phase: first + 1,
        action: 'RunCommand',
        instanceIds,
        ...(replaced ? { replaces: replaced } : {}),
      });
    }
  }
  const runIndex = (i: number) => specs.length + i;
  const reads: StepSpec[] = runs.map((run, i) => ({
    phase: first + 2,
    action: 'InvocationResults',
    instanceIds: run.instanceIds,
    invocationStep: runIndex(i),
    timeoutMs: RESULTS_WAIT_MS,
  }));
  const offset = input.firstIndex ?? 0;
  return toSteps(input.id, [...specs, ...runs, ...reads]).map((planned) => {
    const step = { ...planned, index: planned.index + offset };
    if (step.invocationStep !== undefined) step.invocationStep += offset;
    if (step.action === 'RunCommand') step.invocationName = invocationNameFor(input.id, step.index);
    return step;
  });
}

// Letters, digits, _ and -, at most 64, not starting with a digit or "-" (the RunCommand page).
const READABLE_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** RunCommand's InvocationName for a step: deterministic, so a resume can look it up. */
export function invocationNameFor(requestId: string, index: number): string {
  const base = READABLE_ID.test(requestId)
    ? requestId
    : `h${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 32)}`;
  return `attach-key-bot-${base}-r${index}`;
}
