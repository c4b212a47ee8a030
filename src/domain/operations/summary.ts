import type {
  InstanceOutcome,
  InstanceSnapshot,
  MutationRequest,
  ObservedInstance,
  Step,
  StepAction,
} from '../request.js';

// What happened to each instance of any request, read from its journaled steps. One reading for
// every kind: an instance goes through its steps in order (a restart: reboot, then wait) and its
// result is the first step that did not go well, or ok with what was last observed. The Verify
// reads (one per batch, or an older plan's one of all) are not pass/fail steps: they only say
// whether an ok instance really shows its key pair.
// Codes and kinds only: the renderers word them in the reader's language.

export type Verification =
  | { state: 'verified' }
  /** The instance shows another key pair (or none) than the one the request set. */
  | { state: 'mismatch'; seen?: { keyPairId?: string; keyPairName?: string } }
  /** No read-back: the read failed, the instance was not in its answer, or it is still due. */
  | { state: 'unverified'; cause?: UnverifiedCause };

/** Why there is no read-back; none when the read has not run (yet). */
export type UnverifiedCause =
  | { kind: 'read_failed'; code: string; message?: string; call?: string }
  | { kind: 'not_listed' };

export type InstanceResult =
  | { instanceId: string; state: 'ok'; observed?: ObservedInstance; verification?: Verification }
  /** `call`: the call that answered with the error (`ecs:AttachKeyPair`), to explain a refusal. */
  | { instanceId: string; state: 'failed'; code: string; message: string; call?: string }
  /** Its call failed as a whole (after retries): nothing says whether it changed. */
  | { instanceId: string; state: 'unconfirmed'; code: string; message?: string; call?: string }
  /** A halted roll never got to it. */
  | { instanceId: string; state: 'not_started' }
  | { instanceId: string; state: 'pending' };

export interface RequestSummary {
  total: number;
  results: InstanceResult[];
  counts: Record<InstanceResult['state'], number>;
  /** ok instances whose read-back shows a different key pair. */
  mismatched: number;
  /** Volcengine RequestIds of the answers, in step order, without repeats. */
  apiRequestIds: string[];
}

/** The key pair a mutation step leaves on an instance: the one attached, or none (detach). */
function expectedKey(step: Step): { keyPairId?: string; keyPairName?: string } | null {
  if (step.action === 'DetachKeyPair') return null;
  return {
    ...(step.keyPairId ? { keyPairId: step.keyPairId } : {}),
    ...(step.keyPairName ? { keyPairName: step.keyPairName } : {}),
  };
}

/**
 * By id only: a name proves nothing (another key pair can take it). A step without an id (none
 * is sent since ids are frozen at submit or before the first call) is never counted verified.
 */
function showsKey(
  observed: ObservedInstance,
  expected: { keyPairId?: string; keyPairName?: string } | null,
): boolean | undefined {
  if (expected === null) return !observed.keyPairId && !observed.keyPairName;
  if (expected.keyPairId) return observed.keyPairId === expected.keyPairId;
  return undefined;
}

const KEY_ACTIONS: ReadonlySet<StepAction> = new Set(['AttachKeyPair', 'DetachKeyPair']);

/** The API call a step makes, as its permission is named: the reads are DescribeInstances. */
export function callOf(action: StepAction): string {
  if (action === 'Verify' || action === 'WaitRunning') return 'ecs:DescribeInstances';
  if (action === 'CheckAssistant') return 'ecs:DescribeCloudAssistantStatus';
  if (action === 'InvocationResults') return 'ecs:DescribeInvocationResults';
  return `ecs:${action}`;
}

export function summarizeRequest(
  request: Pick<MutationRequest, 'instanceIds' | 'steps'> & { kind?: MutationRequest['kind'] },
): RequestSummary {
  const ids = [...new Set(request.instanceIds)];
  const chains = new Map<string, Step[]>(ids.map((id) => [id, []]));
  // The read-back that covers each instance: its batch's (or an older plan's one read of all).
  const readBackOf = new Map<string, Step>();
  for (const step of request.steps) {
    // A later phase's steps (then=restart) are summarized on their own (phases.ts nextPhaseView).
    if (step.kind !== undefined && step.kind !== request.kind) continue;
    if (step.action === 'Verify') {
      for (const id of step.instanceIds) readBackOf.set(id, step);
      continue;
    }
    for (const id of step.instanceIds) chains.get(id)?.push(step);
  }
  // Each step's outcomes by instance, built once: a scan per instance would make a summary of a
  // 5,000-instance request 5,000 x 100 comparisons.
  const answers = new Map<Step, Map<string, InstanceOutcome>>();
  const outcomeOf = (step: Step, instanceId: string) => {
    let byId = answers.get(step);
    if (!byId) {
      byId = new Map();
      for (const o of step.outcomes ?? []) if (!byId.has(o.instanceId)) byId.set(o.instanceId, o);
      answers.set(step, byId);
    }
    return byId.get(instanceId);
  };

  const results = ids.map((instanceId): InstanceResult => {
    let observed: ObservedInstance | undefined;
    let keyStep: Step | undefined;
    const chain = chains.get(instanceId) ?? [];
    // No step names it (a plan still to come): it has no answer yet.
    if (!chain.length) return { instanceId, state: 'pending' };
    for (const step of chain) {
      if (step.state === 'planned' || step.state === 'sent')
        return { instanceId, state: 'pending' };
      if (step.state === 'skipped') return { instanceId, state: 'not_started' };
      if (step.state === 'failed') {
        const code = step.error?.code ?? 'UnexpectedError';
        const message = step.error?.message;
        const call = step.error?.call ?? callOf(step.action);
        return { instanceId, state: 'unconfirmed', code, ...(message ? { message } : {}), call };
      }
      const outcome = outcomeOf(step, instanceId);
      if (outcome && !outcome.ok) {
        const { code, message } = outcome;
        return { instanceId, state: 'failed', code, message, call: callOf(step.action) };
      }
      if (outcome?.observed) observed = outcome.observed;
      if (KEY_ACTIONS.has(step.action)) keyStep = step;
    }
    const result: InstanceResult = { instanceId, state: 'ok', ...(observed ? { observed } : {}) };
    const readBack = readBackOf.get(instanceId);
    if (keyStep && readBack) {
      result.verification = verificationOf(instanceId, keyStep, readBack, outcomeOf);
    }
    return result;
  });

  const counts = { ok: 0, failed: 0, unconfirmed: 0, not_started: 0, pending: 0 };
  let mismatched = 0;
  for (const r of results) {
    counts[r.state]++;
    if (r.state === 'ok' && r.verification?.state === 'mismatch') mismatched++;
  }
  const apiRequestIds = new Set<string>();
  for (const step of request.steps) {
    if (step.apiRequestId) apiRequestIds.add(step.apiRequestId);
    if (step.error?.requestId) apiRequestIds.add(step.error.requestId);
  }
  return { total: ids.length, results, counts, mismatched, apiRequestIds: [...apiRequestIds] };
}

function verificationOf(
  instanceId: string,
  keyStep: Step,
  verify: Step,
  outcomeOf: (step: Step, instanceId: string) => InstanceOutcome | undefined,
): Verification {
  if (verify.state === 'failed') {
    const code = verify.error?.code ?? 'UnexpectedError';
    const message = verify.error?.message;
    const call = verify.error?.call ?? callOf(verify.action);
    return {
      state: 'unverified',
      cause: { kind: 'read_failed', code, ...(message ? { message } : {}), call },
    };
  }
  if (verify.state !== 'done') return { state: 'unverified' };
  const observed = outcomeOf(verify, instanceId)?.observed;
  if (!observed) return { state: 'unverified', cause: { kind: 'not_listed' } };
  const shows = showsKey(observed, expectedKey(keyStep));
  if (shows === undefined) return { state: 'unverified' };
  if (shows) return { state: 'verified' };
  const seen = {
    ...(observed.keyPairId ? { keyPairId: observed.keyPairId } : {}),
    ...(observed.keyPairName ? { keyPairName: observed.keyPairName } : {}),
  };
  return { state: 'mismatch', ...(seen.keyPairId || seen.keyPairName ? { seen } : {}) };
}

/** Ids whose result is ok. */
export function succeededIds(summary: RequestSummary): string[] {
  return summary.results.filter((r) => r.state === 'ok').map((r) => r.instanceId);
}

/**
 * After an attach or undo: the instances to restart (bound and RUNNING) and those that take the
 * key at their next start (bound while STOPPED). The read-back's status wins over the preview's.
 */
export function restartCandidates(
  request: Pick<MutationRequest, 'instanceIds' | 'steps' | 'preview'>,
  summary: RequestSummary = summarizeRequest(request),
): { running: string[]; stopped: string[]; unknown: string[] } {
  const readBack = new Map<string, string | undefined>();
  for (const step of request.steps) {
    if (step.action !== 'Verify' || step.state !== 'done') continue;
    for (const o of step.outcomes ?? []) readBack.set(o.instanceId, o.observed?.status);
  }
  const previewed = new Map(
    (request.preview?.instances ?? []).map((i: InstanceSnapshot) => [i.instanceId, i.status]),
  );
  const running: string[] = [];
  const stopped: string[] = [];
  const unknown: string[] = [];
  for (const id of succeededIds(summary)) {
    const status = readBack.get(id) ?? previewed.get(id);
    if (status === 'RUNNING') running.push(id);
    else if (status === 'STOPPED') stopped.push(id);
    else unknown.push(id);
  }
  return { running, stopped, unknown };
}
