import { clientTokenFor } from '../batches.js';
import { isOpenStep } from '../lifecycle.js';
import type {
  ExcludedInstance,
  MutationRequest,
  NextKind,
  NextPhase,
  OperationKind,
  Step,
} from '../request.js';
import { planApplyNow } from './apply-now.js';
import { planRestart } from './restart.js';
import { restartCandidates, summarizeRequest } from './summary.js';

// Plans with phases (design.md, issue 21): a request may carry, under its one approval, a phase
// of another kind after its own plan (`then=restart`). That phase's instances depend on how the
// first plan went, so it is derived only once every step of the first plan is answered (the
// read-backs included), from what the journal holds: pure and deterministic, so a resume or
// another replica derives exactly the same steps and ClientTokens. The executor writes the steps
// and `next.planned` in one update before the first call of the phase. Each kind that may follow
// has a planner here (PLANNERS: then=apply-now is one more entry), given where its steps start;
// the steps carry the phase's `kind` and continue the request's indexes and phases.

/** Where the next phase's steps start: after the request's last step index and phase. */
interface PhaseStart {
  firstIndex: number;
  firstPhase: number;
}

/** What a planner makes of the finished first plan. */
interface PhasePlan {
  instanceIds: string[];
  excluded: ExcludedInstance[];
  /** Numbered from `firstIndex`, in phases from `firstPhase` (ClientTokens of those indexes). */
  steps: Step[];
}

type Planner = (request: MutationRequest, next: NextPhase, start: PhaseStart) => PhasePlan;

const PLANNERS: Record<NextKind, Planner> = {
  restart: planRestartPhase,
  apply: planApplyPhase,
};

/** The kind a step belongs to: its own, or the request's. */
export function kindOf(step: Step, request: Pick<MutationRequest, 'kind'>): OperationKind {
  return step.kind ?? request.kind;
}

/** The first plan's steps: the request's own, without a later phase's. */
export function ownSteps(request: Pick<MutationRequest, 'kind' | 'steps'>): Step[] {
  return request.steps.filter((s) => kindOf(s, request) === request.kind);
}

/** Every step of the first plan is answered and the phase after it is still to be planned. */
export function nextPhaseDue(request: MutationRequest): boolean {
  if (!request.next || request.next.planned) return false;
  return !ownSteps(request).some(isOpenStep);
}

/**
 * The request with its next phase planned: the steps appended (numbered after the last, in
 * phases after the last), `next.planned` saying what it covers and leaves out. Unchanged when
 * there is nothing to plan.
 */
export function planNextPhase(request: MutationRequest, now: Date): MutationRequest {
  const next = request.next;
  if (!next || !nextPhaseDue(request)) return request;
  const start = {
    firstIndex: request.steps.length,
    firstPhase: Math.max(-1, ...request.steps.map((s) => s.phase)) + 1,
  };
  const plan = PLANNERS[next.kind](request, next, start);
  const planned = { at: now.toISOString(), instanceIds: plan.instanceIds, excluded: plan.excluded };
  const steps = plan.steps.map((s): Step => ({ ...s, kind: next.kind }));
  return { ...request, steps: [...request.steps, ...steps], next: { ...next, planned } };
}

/**
 * Steps planned as for a request of their own (indexes and phases from 0) moved to `start`, with
 * the ClientTokens of their new indexes. For plans whose steps do not name each other.
 */
function moveTo(requestId: string, steps: readonly Step[], start: PhaseStart): Step[] {
  return steps.map((s) => {
    const index = start.firstIndex + s.index;
    const step: Step = { ...s, index, phase: start.firstPhase + s.phase };
    if (s.clientToken) step.clientToken = clientTokenFor(requestId, index);
    return step;
  });
}

/**
 * The later phase seen as a request of its kind (its instances, steps and exclusions), for the
 * summaries and renderers made for one kind; undefined until it is planned.
 */
export function nextPhaseView(request: MutationRequest): MutationRequest | undefined {
  const next = request.next;
  if (!next?.planned) return undefined;
  const { next: _next, selection: _selection, ...rest } = request;
  return {
    ...rest,
    kind: next.kind,
    instanceIds: next.planned.instanceIds,
    steps: request.steps.filter((s) => s.kind === next.kind),
    excluded: next.planned.excluded,
  };
}

/**
 * What the attach bound and the read-back verified, split by what the preview said of each:
 * RUNNING, stopped or unknown; the instances not bound or not verified are left out.
 */
function boundAndVerified(request: MutationRequest) {
  const summary = summarizeRequest(request);
  const verified = new Set(
    summary.results
      .filter((r) => r.state === 'ok' && r.verification?.state === 'verified')
      .map((r) => r.instanceId),
  );
  const excluded: ExcludedInstance[] = [];
  for (const r of summary.results) {
    if (r.state !== 'ok') excluded.push({ instanceId: r.instanceId, reason: 'not_bound' });
    else if (!verified.has(r.instanceId)) {
      excluded.push({ instanceId: r.instanceId, reason: 'not_verified' });
    }
  }
  const { running, stopped, unknown } = restartCandidates(request, summary);
  for (const instanceId of stopped.filter((id) => verified.has(id))) {
    excluded.push({ instanceId, reason: 'stopped' });
  }
  return {
    excluded,
    running: running.filter((id) => verified.has(id)),
    unknown: unknown.filter((id) => verified.has(id)),
  };
}

/**
 * Restart after an attach: the instances bound while RUNNING whose binding the read-back
 * verified, in waves fixed at submit. The others are left out, each with its reason.
 */
function planRestartPhase(request: MutationRequest, next: NextPhase, start: PhaseStart): PhasePlan {
  const { excluded, running, unknown } = boundAndVerified(request);
  for (const instanceId of unknown) excluded.push({ instanceId, reason: 'status_unknown' });
  const instanceIds = running;
  const waves = next.restart ?? { waveSize: 10, waveTimeoutMs: 600_000 };
  return {
    instanceIds,
    excluded,
    steps: moveTo(request.id, planRestart({ id: request.id, instanceIds }, waves), start),
  };
}

/**
 * Apply now after an attach (`then=apply-now`): the script frozen at submit (`applyNow`) on the
 * instances bound and verified that were RUNNING or of unknown status (its check reads them again
 * and leaves out what cannot take a command).
 */
function planApplyPhase(request: MutationRequest, _next: NextPhase, start: PhaseStart): PhasePlan {
  const { excluded, running, unknown } = boundAndVerified(request);
  const wanted = new Set([...running, ...unknown]);
  const instanceIds = request.instanceIds.filter((id) => wanted.has(id));
  return { instanceIds, excluded, steps: applySteps(request, instanceIds, start) };
}

/**
 * The apply steps for these instances. Per instance, the line the script removes is the key pair
 * the preview showed before the binding, when its public key was known at submit.
 */
function applySteps(request: MutationRequest, instanceIds: string[], start: PhaseStart): Step[] {
  if (!instanceIds.length) return [];
  const wanted = new Set(instanceIds);
  const removable = new Set((request.applyNow?.replaces ?? []).map((k) => k.keyPairId));
  const replaces = new Map<string, string>();
  for (const i of request.preview?.instances ?? []) {
    if (wanted.has(i.instanceId) && i.keyPairId && removable.has(i.keyPairId)) {
      replaces.set(i.instanceId, i.keyPairId);
    }
  }
  return planApplyNow({ id: request.id, instanceIds, replaces, ...start });
}

/**
 * then=apply-now before its attach ran: the apply phase as it would be planned if every instance
 * the preview shows RUNNING (and not Windows) were bound and verified. The card's forecast of
 * what runs where (its script, the lines it removes); undefined for other requests.
 */
export function forecastApplyPhase(request: MutationRequest): MutationRequest | undefined {
  if (request.next?.kind !== 'apply') return undefined;
  const asked = new Set(request.instanceIds);
  const instanceIds = (request.preview?.instances ?? [])
    .filter(
      (i) =>
        asked.has(i.instanceId) && i.status === 'RUNNING' && i.osType.toLowerCase() !== 'windows',
    )
    .map((i) => i.instanceId);
  const { next: _next, selection: _selection, ...rest } = request;
  const steps = applySteps(request, instanceIds, { firstIndex: 0, firstPhase: 0 });
  return { ...rest, kind: 'apply', instanceIds, steps, excluded: [] };
}
