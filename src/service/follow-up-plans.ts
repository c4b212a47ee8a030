import { applyRestartCandidates, summarizeApply } from '../domain/operations/apply-summary.js';
import { nextPhaseView } from '../domain/operations/phases.js';
import { planRestart } from '../domain/operations/restart.js';
import { restartCandidates, summarizeRequest } from '../domain/operations/summary.js';
import { planUndo, undoCandidates, undoClosesAt } from '../domain/operations/undo.js';
import type {
  ApplyNowSpec,
  ExcludedInstance,
  KeyPairInfo,
  MutationRequest,
  Preview,
  Step,
} from '../domain/request.js';
import { ecsOf, type ServiceContext } from './context.js';
import { readPreview } from './preview.js';

// What a follow-up of a finished request does, read from the cloud as it is now. A restart
// reboots what the parent bound and is RUNNING. An undo gives back earlier key pairs, but only on
// instances that still show the key pair the attach bound: one re-keyed since is left alone (the
// card says so), and the earlier key pairs it restores are read by id, so the card shows them and
// the check before the first call has their keys to compare.

export type PlanRefusal =
  | { reason: 'nothing_to_do'; kind: 'restart' | 'undo' }
  | { reason: 'undo_window_closed'; closedAt: string }
  | { reason: 'undo_not_offered' };

export interface FollowUpPlan {
  instanceIds: string[];
  steps: Step[];
  excluded: ExcludedInstance[];
  preview?: Preview;
  /** Apply now (apply-submit.ts): what its script is made of. */
  applyNow?: ApplyNowSpec;
}

export async function planFollowUp(
  ctx: ServiceContext,
  kind: 'restart' | 'undo',
  id: string,
  parent: MutationRequest,
): Promise<FollowUpPlan | { refusal: PlanRefusal }> {
  const { settings } = ctx.deps;
  const ecs = ecsOf(ctx.deps, parent.account);
  const read = async (instanceIds: string[]) => {
    const result = await readPreview(ecs, { region: parent.region, instanceIds }, ctx.now);
    return result.ok ? result.preview : undefined;
  };
  if (kind === 'restart') {
    if (parent.kind === 'restart') return { refusal: { reason: 'nothing_to_do', kind } };
    // After an apply now (its own, or a then=apply-now phase): where the key did not reach (the
    // others need no restart). A rotation restarted what it could already: only what its roll
    // did not restart is left.
    const rotated = parent.next?.kind === 'restart' ? nextPhaseView(parent) : undefined;
    const applied =
      parent.kind === 'apply'
        ? parent
        : parent.next?.kind === 'apply'
          ? nextPhaseView(parent)
          : undefined;
    const { running, stopped, unknown } = applied
      ? { running: applyRestartCandidates(summarizeApply(applied)), stopped: [], unknown: [] }
      : rotated
        ? { running: notRestarted(rotated), stopped: [], unknown: [] }
        : restartCandidates(parent);
    const excluded: ExcludedInstance[] = [
      ...stopped.map((instanceId) => ({ instanceId, reason: 'stopped' as const })),
      ...unknown.map((instanceId) => ({ instanceId, reason: 'status_unknown' as const })),
    ];
    if (!running.length) return { refusal: { reason: 'nothing_to_do', kind } };
    const steps = planRestart({ id, instanceIds: running }, settings.restart);
    const preview = await read(running);
    return { instanceIds: running, steps, excluded, ...(preview ? { preview } : {}) };
  }
  if (parent.kind !== 'attach') return { refusal: { reason: 'undo_not_offered' } };
  const closesAt = undoClosesAt(parent, settings.undoWindowHours);
  if (closesAt && ctx.now().getTime() >= Date.parse(closesAt)) {
    return { refusal: { reason: 'undo_window_closed', closedAt: closesAt } };
  }
  const candidates = undoCandidates(parent);
  if (!candidates.length) return { refusal: { reason: 'nothing_to_do', kind } };
  // Unread (the read failed): every candidate is left alone, as "not known now".
  const now = (await read(candidates)) ?? { instances: [], unread: candidates };
  const plan = planUndo(id, parent, now);
  if (!plan.instanceIds.length) return { refusal: { reason: 'nothing_to_do', kind } };
  const touched = new Set(plan.instanceIds);
  const restoredKeyPairs = await readRestored(ctx, parent, plan.steps);
  const preview: Preview | undefined =
    'readAt' in now
      ? {
          ...now,
          instances: now.instances.filter((i) => touched.has(i.instanceId)),
          unread: now.unread.filter((i) => touched.has(i)),
          ...(restoredKeyPairs.length ? { restoredKeyPairs } : {}),
        }
      : undefined;
  return {
    instanceIds: plan.instanceIds,
    steps: plan.steps,
    excluded: plan.leftAlone,
    ...(preview ? { preview } : {}),
  };
}

/** A rotation's restart phase: the instances whose restart did not end well (halted, failed). */
function notRestarted(phase: MutationRequest): string[] {
  return summarizeRequest(phase)
    .results.filter((r) => r.state !== 'ok')
    .map((r) => r.instanceId);
}

/** The earlier key pairs an undo gives back, as they are now; one that cannot be read is left out. */
async function readRestored(
  ctx: ServiceContext,
  parent: Pick<MutationRequest, 'region' | 'account'>,
  steps: readonly Step[],
): Promise<KeyPairInfo[]> {
  const { region } = parent;
  const ecs = ecsOf(ctx.deps, parent.account);
  const ids = [
    ...new Set(
      steps.flatMap((s) => (s.action === 'AttachKeyPair' && s.keyPairId ? [s.keyPairId] : [])),
    ),
  ];
  const found = await Promise.all(
    ids.map((keyPairId) => ecs.findKeyPair({ region, keyPairId }).catch(() => undefined)),
  );
  return found.filter((k): k is KeyPairInfo => k !== undefined);
}
