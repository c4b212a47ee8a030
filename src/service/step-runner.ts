import type {
  InstanceOutcome,
  MutationRequest,
  ObservedInstance,
  Step,
} from '../domain/request.js';
import { performApplyStep } from './apply-steps.js';
import type { EcsApi, InstanceReadout } from './ports.js';

// What one journaled step does in the cloud. Mutations are one call each (the client retries with
// the same ClientToken); Verify reads the instances back; WaitRunning polls a restart wave until
// every rebooted instance is RUNNING again or the wave's time is up.

export interface StepAnswer {
  apiRequestId?: string;
  /** RunCommand: the invocation it started (or found after a resume). */
  invocationId?: string;
  outcomes: InstanceOutcome[];
}

/** Thrown when the bot stops (or loses its lease) mid-step: the journal keeps the step `sent`. */
export class StepInterrupted extends Error {
  readonly code = 'step_interrupted';
  constructor(reason: string) {
    super(reason);
    this.name = 'StepInterrupted';
  }
}

export interface WaitHooks {
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Throws StepInterrupted when the wait must stop (shutdown, lease lost); renews the lease. */
  checkpoint(): Promise<void>;
}

/**
 * A RUNNING instance counts as back once it was seen down, or once this long has passed since its
 * reboot was first sent: right after RebootInstances answers, an instance may still show RUNNING
 * before it goes down, and counting it back then would start the next wave too early.
 */
export const SETTLE_MS = 15_000;
const MIN_POLL_MS = 250;
const MAX_POLL_MS = 5_000;

export async function performStep(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
  hooks: WaitHooks,
): Promise<StepAnswer> {
  const base = { region: request.region, instanceIds: step.instanceIds };
  const token = step.clientToken ?? '';
  const key = {
    ...(step.keyPairName ? { keyPairName: step.keyPairName } : {}),
    ...(step.keyPairId ? { keyPairId: step.keyPairId } : {}),
  };
  switch (step.action) {
    case 'AttachKeyPair':
      return fromBatch(await ecs.attachKeyPair({ ...base, ...key, clientToken: token }));
    case 'DetachKeyPair':
      return fromBatch(await ecs.detachKeyPair({ ...base, ...key, clientToken: token }));
    case 'RebootInstances':
      return fromBatch(await ecs.rebootInstances({ ...base, clientToken: token }));
    case 'Verify':
      return verify(await ecs.describeInstances(base));
    case 'WaitRunning':
      return waitRunning(ecs, request, step, hooks);
    case 'CheckAssistant':
    case 'RunCommand':
    case 'InvocationResults':
      return performApplyStep(ecs, request, step, hooks);
  }
}

function fromBatch(answer: { requestId: string; outcomes: InstanceOutcome[] }): StepAnswer {
  return {
    ...(answer.requestId ? { apiRequestId: answer.requestId } : {}),
    outcomes: answer.outcomes,
  };
}

const observe = (i: {
  status: string;
  keyPairId?: string;
  keyPairName?: string;
}): ObservedInstance => ({
  status: i.status,
  ...(i.keyPairId ? { keyPairId: i.keyPairId } : {}),
  ...(i.keyPairName ? { keyPairName: i.keyPairName } : {}),
});

/** Every instance the read listed, as seen; a read that failed entirely fails the step. */
function verify(readout: InstanceReadout): StepAnswer {
  const failed = readout.problems.filter((p) => p.kind === 'failed');
  if (failed.length && readout.instances.length === 0 && failed[0]) throw failed[0].error;
  return {
    ...(readout.requestIds[0] ? { apiRequestId: readout.requestIds[0] } : {}),
    outcomes: readout.instances.map((i) => ({
      instanceId: i.instanceId,
      ok: true,
      observed: observe(i),
    })),
  };
}

/**
 * The instances of this wave whose reboot the API accepted (the ones to wait for), and when the
 * first of those reboots was sent (a resumed wait counts from there, not from the resume).
 */
function rebootedIn(
  request: MutationRequest,
  wave: number | undefined,
): { ids: string[]; firstSentAt?: number } {
  const ids: string[] = [];
  let firstSentAt: number | undefined;
  for (const s of request.steps) {
    if (s.action !== 'RebootInstances' || s.wave !== wave || s.state !== 'done') continue;
    const failed = new Set((s.outcomes ?? []).filter((o) => !o.ok).map((o) => o.instanceId));
    ids.push(...s.instanceIds.filter((id) => !failed.has(id)));
    const sent = s.sentAt ? Date.parse(s.sentAt) : undefined;
    if (sent !== undefined && (firstSentAt === undefined || sent < firstSentAt)) firstSentAt = sent;
  }
  return { ids, ...(firstSentAt !== undefined ? { firstSentAt } : {}) };
}

async function waitRunning(
  ecs: EcsApi,
  request: MutationRequest,
  step: Step,
  hooks: WaitHooks,
): Promise<StepAnswer> {
  const { ids, firstSentAt } = rebootedIn(request, step.wave);
  if (!ids.length) return { outcomes: [] };
  const started = step.sentAt ? Date.parse(step.sentAt) : hooks.now().getTime();
  const settledAt = (firstSentAt ?? started) + SETTLE_MS;
  const deadline = started + (step.timeoutMs ?? 0);
  const seenDown = new Set<string>();
  const back = new Map<string, ObservedInstance>();
  const last = new Map<string, ObservedInstance>();
  let lastError: unknown;
  let reads = 0;
  let apiRequestId: string | undefined;

  for (;;) {
    const waiting = ids.filter((id) => !back.has(id));
    try {
      const readout = await ecs.describeInstances({ region: request.region, instanceIds: waiting });
      reads++;
      apiRequestId ??= readout.requestIds[0];
      const at = hooks.now().getTime();
      for (const instance of readout.instances) {
        const seen = observe(instance);
        last.set(instance.instanceId, seen);
        if (instance.status !== 'RUNNING') seenDown.add(instance.instanceId);
        else if (seenDown.has(instance.instanceId) || at >= settledAt) {
          back.set(instance.instanceId, seen);
        }
      }
      const failed = readout.problems.find((p) => p.kind === 'failed');
      if (failed && failed.kind === 'failed') lastError = failed.error;
    } catch (error) {
      lastError = error;
    }
    const now = hooks.now().getTime();
    if (back.size === ids.length || now >= deadline) break;
    await hooks.checkpoint();
    const elapsed = now - started;
    // Poll often at first, then less: the overshoot stays within a fifth of the time taken.
    const delay = Math.min(Math.max(MIN_POLL_MS, elapsed / 5), MAX_POLL_MS, deadline - now);
    await hooks.sleep(Math.max(1, Math.round(delay)));
  }

  if (reads === 0 && lastError) throw lastError;
  const minutes = Math.round(((step.timeoutMs ?? 0) / 60_000) * 10) / 10;
  return {
    ...(apiRequestId ? { apiRequestId } : {}),
    outcomes: ids.map((instanceId): InstanceOutcome => {
      const observed = back.get(instanceId);
      if (observed) return { instanceId, ok: true, observed };
      const seen = last.get(instanceId);
      return {
        instanceId,
        ok: false,
        code: 'RestartTimeout',
        message: `not RUNNING again within ${minutes} min (last seen ${seen?.status ?? 'not at all'})`,
        ...(seen ? { observed: seen } : {}),
      };
    }),
  };
}
