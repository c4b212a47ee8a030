import { lastLine, readScriptResult, renderApplyScript } from '../domain/apply-script.js';
import { COMMAND_TIMEOUT_SECONDS } from '../domain/operations/apply-now.js';
import { COMMAND, LEFT_OUT } from '../domain/operations/apply-summary.js';
import type { InstanceOutcome, MutationRequest, Step } from '../domain/request.js';
import type { InvocationResult } from './cloud-assistant-port.js';
import type { EcsApi } from './ports.js';

// What the steps of an apply now do in the cloud (domain/operations/apply-now.ts plans them).
// CheckAssistant reads agents and instances and leaves out what cannot take a command. RunCommand
// sends the script to the instances that passed, once: without a ClientToken the only safe resend
// is after looking the invocation up by its name, which a resumed step (or a retry) always does
// first. InvocationResults polls one page a poll until every instance has a final status.

const RUN_ATTEMPTS = 4;
const RESULTS_PAGE = 100;
const MIN_POLL_MS = 250;
const MAX_POLL_MS = 5_000;
const MAX_OUTPUT_LINE = 300;
const FINAL = new Set(['Success', 'Failed', 'Timeout']);

/** A step's answer, as step-runner.ts journals it (with the invocation RunCommand started). */
export interface ApplyStepAnswer {
  apiRequestId?: string;
  invocationId?: string;
  outcomes: InstanceOutcome[];
}

/** The clock, sleep and checkpoint (stop, lease) of the running step. */
export interface ApplyStepHooks {
  now(): Date;
  sleep(ms: number): Promise<void>;
  checkpoint(): Promise<void>;
}

export async function performApplyStep(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
  hooks: ApplyStepHooks,
): Promise<ApplyStepAnswer> {
  switch (step.action) {
    case 'CheckAssistant':
      return checkAssistant(ecs, request, step);
    case 'RunCommand':
      return runCommand(ecs, request, step, hooks);
    case 'InvocationResults':
      return pollResults(ecs, request, step, hooks);
    default:
      throw new Error(`not an apply-now step: ${step.action}`);
  }
}

/** Outcome of an instance in the first step of `action` that names it, if answered. */
function outcomeOf(request: MutationRequest, action: Step['action'], id: string) {
  const step = request.steps.find((s) => s.action === action && s.instanceIds.includes(id));
  return { step, outcome: step?.outcomes?.find((o) => o.instanceId === id) };
}

async function checkAssistant(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
): Promise<ApplyStepAnswer> {
  const outcomes: InstanceOutcome[] = [];
  // In a plan that bound the key first, only instances it bound go on.
  const ids = step.instanceIds.filter((id) => {
    const { step: attach, outcome } = outcomeOf(request, 'AttachKeyPair', id);
    if (!attach || (attach.state === 'done' && outcome?.ok !== false)) return true;
    outcomes.push({ instanceId: id, ok: false, code: LEFT_OUT.notBound, message: attach.state });
    return false;
  });
  if (!ids.length) return { outcomes };
  const [agents, instances] = await Promise.all([
    ecs.cloudAssistantStatus({ region: request.region, instanceIds: ids }),
    ecs.describeInstances({ region: request.region, instanceIds: ids }),
  ]);
  const failed = instances.problems.find((p) => p.kind === 'failed');
  if (failed?.kind === 'failed' && instances.instances.length === 0) throw failed.error;
  const agentOf = new Map(agents.agents.map((a) => [a.instanceId, a.status]));
  const statusOf = new Map(instances.instances.map((i) => [i.instanceId, i.status]));
  for (const id of ids) {
    const status = statusOf.get(id);
    const agent = agentOf.get(id);
    if (status !== 'RUNNING') {
      const observed = { status: status ?? 'NOT_FOUND' };
      outcomes.push({
        instanceId: id,
        ok: false,
        code: LEFT_OUT.notRunning,
        message: observed.status,
        observed,
      });
    } else if (agent !== 'Running') {
      outcomes.push({
        instanceId: id,
        ok: false,
        code: LEFT_OUT.noAssistant,
        message: agent ?? 'absent',
        observed: { status },
      });
    } else outcomes.push({ instanceId: id, ok: true, observed: { status } });
  }
  const apiRequestId = agents.requestIds[0];
  return { ...(apiRequestId ? { apiRequestId } : {}), outcomes };
}

async function runCommand(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
  hooks: ApplyStepHooks,
): Promise<ApplyStepAnswer> {
  const spec = request.applyNow;
  const name = step.invocationName;
  if (!spec || !name) throw new Error(`request ${request.id} has no apply-now script`);
  const targets = step.instanceIds.filter(
    (id) => outcomeOf(request, 'CheckAssistant', id).outcome?.ok === true,
  );
  const outcomes = targets.map((instanceId): InstanceOutcome => ({ instanceId, ok: true }));
  if (!targets.length) return { outcomes };
  const replaces = spec.replaces.find((k) => k.keyPairId === step.replaces);
  const script = renderApplyScript({
    requestId: request.id,
    key: spec.key,
    ...(replaces ? { replaces } : {}),
  });
  const region = request.region;
  // A resumed step may have reached the API before the crash: find it before sending again.
  let lookFirst = step.sendCount > 1;
  for (let attempt = 1; ; attempt++) {
    if (lookFirst) {
      const found = await ecs.findInvocation({ region, invocationName: name });
      if (found.invocation) {
        const { invocationId } = found.invocation;
        return { apiRequestId: found.requestId, invocationId, outcomes };
      }
    }
    try {
      const sent = await ecs.runCommand({
        region,
        instanceIds: targets,
        invocationName: name,
        script,
        username: spec.user,
        timeoutSeconds: COMMAND_TIMEOUT_SECONDS,
      });
      return { apiRequestId: sent.requestId, invocationId: sent.invocationId, outcomes };
    } catch (error) {
      const retryable = (error as { retryable?: unknown })?.retryable === true;
      if (!retryable || attempt >= RUN_ATTEMPTS) throw error;
    }
    await hooks.checkpoint();
    await hooks.sleep(Math.min(MAX_POLL_MS, 500 * 2 ** (attempt - 1)));
    lookFirst = true;
  }
}

async function pollResults(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
  hooks: ApplyStepHooks,
): Promise<ApplyStepAnswer> {
  const run = request.steps.find((s) => s.index === step.invocationStep);
  const invocationId = run?.invocationId;
  const sent = (run?.outcomes ?? []).filter((o) => o.ok).map((o) => o.instanceId);
  if (!invocationId || !sent.length) return { outcomes: [] };
  const started = step.sentAt ? Date.parse(step.sentAt) : hooks.now().getTime();
  const deadline = started + (step.timeoutMs ?? 0);
  const waiting = new Set(sent);
  const seen = new Map<string, InvocationResult>();
  const pages = Math.max(1, Math.ceil(sent.length / RESULTS_PAGE));
  const settledPages = new Set<number>();
  let page = 1;
  let reads = 0;
  let apiRequestId: string | undefined;
  let lastError: unknown;

  for (;;) {
    try {
      const answer = await ecs.invocationResultsPage({
        region: request.region,
        invocationId,
        pageNumber: page,
        pageSize: RESULTS_PAGE,
      });
      reads++;
      apiRequestId ??= answer.requestId;
      let open = false;
      for (const result of answer.results) {
        if (!waiting.has(result.instanceId) && !seen.has(result.instanceId)) continue;
        seen.set(result.instanceId, result);
        if (FINAL.has(result.status)) waiting.delete(result.instanceId);
        else open = true;
      }
      if (!open) settledPages.add(page);
    } catch (error) {
      lastError = error;
    }
    const now = hooks.now().getTime();
    if (waiting.size === 0 || now >= deadline) break;
    // One call a poll: the next page that still has instances without a final status.
    page = nextPage(page, pages, settledPages);
    await hooks.checkpoint();
    const delay = Math.min(Math.max(MIN_POLL_MS, (now - started) / 5), MAX_POLL_MS, deadline - now);
    await hooks.sleep(Math.max(1, Math.round(delay)));
  }
  if (reads === 0 && lastError) throw lastError;
  return {
    ...(apiRequestId ? { apiRequestId } : {}),
    outcomes: sent.map((id) => toOutcome(id, seen.get(id))),
  };
}

function nextPage(current: number, pages: number, settled: ReadonlySet<number>): number {
  for (let i = 1; i <= pages; i++) {
    const candidate = ((current - 1 + i) % pages) + 1;
    if (!settled.has(candidate)) return candidate;
  }
  // Every page looked final, yet some instance never showed: read them all again in turn.
  return (current % pages) + 1;
}

function toOutcome(instanceId: string, result: InvocationResult | undefined): InstanceOutcome {
  if (!result || !FINAL.has(result.status)) {
    const status = result?.status ?? 'not listed';
    return { instanceId, ok: false, code: COMMAND.noResult, message: status };
  }
  const output = result.output === undefined ? undefined : lastLine(result.output);
  if (result.status === 'Success') {
    const applied = result.output === undefined ? undefined : readScriptResult(result.output);
    return { instanceId, ok: true, ...(applied ? { applied } : {}) };
  }
  const shown = output ? { output: output.slice(0, MAX_OUTPUT_LINE) } : {};
  const exit = result.exitCode !== undefined ? { exitCode: result.exitCode } : {};
  if (result.status === 'Timeout') {
    return { instanceId, ok: false, code: COMMAND.timedOut, message: 'Timeout', ...exit, ...shown };
  }
  // A failure of Cloud Assistant itself (no such user…) carries its own code; a script's, an exit code.
  const code = result.errorCode || COMMAND.failed;
  const message = result.errorMessage || `exit code ${result.exitCode ?? '?'}`;
  return { instanceId, ok: false, code, message, ...exit, ...shown };
}
