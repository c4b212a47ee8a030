import { planApplyNow } from '../domain/operations/apply-now.js';
import { restartCandidates } from '../domain/operations/summary.js';
import { sameFingerprint } from '../domain/public-key.js';
import type {
  ApplyNowSpec,
  ExcludedInstance,
  KnownKeyRef,
  MutationRequest,
  Preview,
  Step,
} from '../domain/request.js';
import { ecsOf, type ServiceContext } from './context.js';
import type { KnownPublicKey } from './key-registry.js';
import { readPreview } from './preview.js';
import { runLimited } from './run-limited.js';

// The plan of an apply now asked for from an attach's results: the bound key pair's public key
// (the bot must know it), the instances it can reach now (bound, RUNNING, Cloud Assistant agent
// Running: read at submit, so the card shows who is left out and why) and, per instance, the
// replaced key whose line the script removes when the bot knows that key too.

export type ApplyRefusal =
  | { reason: 'apply_not_offered' }
  | {
      reason: 'public_key_unknown';
      region: string;
      keyPairName?: string;
      keyPairId?: string;
      /** Asked with then=apply-now on a new request (else: from a results message). */
      asked?: 'then';
    }
  | {
      reason: 'public_key_mismatch';
      keyPairName: string;
      known: string;
      bound: string;
      asked?: 'then';
    }
  | { reason: 'nothing_to_do'; kind: 'apply' };

/** Why the key a request binds cannot be applied now: its public key is not known, or differs. */
export type KeyRefusal = Extract<
  ApplyRefusal,
  { reason: 'public_key_unknown' | 'public_key_mismatch' }
>;

export interface ApplyPlan {
  instanceIds: string[];
  steps: Step[];
  excluded: ExcludedInstance[];
  applyNow: ApplyNowSpec;
  preview?: Preview;
}

const AGENT_READS_AT_ONCE = 4;

export async function planApplyFollowUp(
  ctx: ServiceContext,
  id: string,
  parent: MutationRequest,
): Promise<ApplyPlan | { refusal: ApplyRefusal }> {
  const { deps } = ctx;
  if (parent.kind !== 'attach') return { refusal: { reason: 'apply_not_offered' } };
  const key = await knownBoundKey(ctx, parent);
  if ('refusal' in key) return key;
  const { running, stopped, unknown } = restartCandidates(parent);
  const excluded: ExcludedInstance[] = [
    ...stopped.map((instanceId) => ({ instanceId, reason: 'stopped' as const })),
    ...unknown.map((instanceId) => ({ instanceId, reason: 'status_unknown' as const })),
  ];
  const read = await readPreview(
    ecsOf(deps, parent.account),
    { region: parent.region, instanceIds: running },
    ctx.now,
  );
  const preview = read.ok ? read.preview : undefined;
  const agents = await readAgents(ctx, parent, running);
  const status = new Map((preview?.instances ?? []).map((i) => [i.instanceId, i.status]));
  const ready: string[] = [];
  for (const instanceId of running) {
    const now = status.get(instanceId);
    const agent = agents.get(instanceId);
    if (now !== undefined && now !== 'RUNNING') {
      excluded.push({ instanceId, reason: 'not_running', status: now });
    } else if (agent !== undefined && agent !== 'Running') {
      excluded.push({ instanceId, reason: 'no_assistant', status: agent });
    } else ready.push(instanceId);
  }
  if (!ready.length) return { refusal: { reason: 'nothing_to_do', kind: 'apply' } };
  // The keys the attach replaced are in its own preview, taken before it bound anything.
  const { applyNow, replaces } = await applyNowSpec(ctx, key.known, parent.preview, ready);
  const steps = planApplyNow({ id, instanceIds: ready, replaces });
  return { instanceIds: ready, steps, excluded, applyNow, ...(preview ? { preview } : {}) };
}

/**
 * The public key the bot keeps for the key pair a request binds, checked against the
 * fingerprint its preview read from Volcengine.
 */
export async function knownBoundKey(
  ctx: ServiceContext,
  request: Pick<MutationRequest, 'region' | 'preview' | 'keyPairId' | 'keyPairName'>,
): Promise<{ known: KnownPublicKey } | { refusal: KeyRefusal }> {
  const bound = request.preview?.keyPair;
  const keyPairId = bound?.keyPairId ?? request.keyPairId;
  const known = keyPairId ? await ctx.deps.keys.get(keyPairId) : undefined;
  if (!known) {
    const name = bound?.keyPairName ?? request.keyPairName;
    return {
      refusal: {
        reason: 'public_key_unknown',
        region: request.region,
        ...(name ? { keyPairName: name } : {}),
        ...(keyPairId ? { keyPairId } : {}),
      },
    };
  }
  if (bound?.fingerprint && !sameFingerprint(bound.fingerprint, known.fingerprint)) {
    const refusal = {
      reason: 'public_key_mismatch' as const,
      keyPairName: known.keyPairName,
      known: known.fingerprint,
      bound: bound.fingerprint,
    };
    return { refusal };
  }
  return { known };
}

/**
 * What the script needs for these instances: the user, the key, and per instance the replaced
 * key (from a preview read before the binding) whose line it removes when the bot knows it.
 * Also what a plan binding and applying in one approval would freeze at submit.
 */
export async function applyNowSpec(
  ctx: ServiceContext,
  known: KnownPublicKey,
  before: Preview | undefined,
  instanceIds: readonly string[],
): Promise<{ applyNow: ApplyNowSpec; replaces: Map<string, string> }> {
  const replaced = await replacedKeys(ctx, before, instanceIds, known.keyPairId);
  return {
    applyNow: {
      user: ctx.deps.settings.applyNowUser,
      key: toRef(known),
      replaces: replaced.known,
      unknownReplaced: replaced.unknown,
    },
    replaces: replaced.byInstance,
  };
}

/**
 * Each instance's agent status; an instance the answer leaves out has none ('absent'). A read
 * that fails leaves its instances unknown here: the execution checks again before anything runs.
 */
async function readAgents(
  ctx: ServiceContext,
  parent: Pick<MutationRequest, 'region' | 'account'>,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const { region } = parent;
  const ecs = ecsOf(ctx.deps, parent.account);
  const agents = new Map<string, string>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
  await runLimited(chunks, AGENT_READS_AT_ONCE, async (instanceIds) => {
    try {
      const read = await ecs.cloudAssistantStatus({ region, instanceIds });
      const listed = new Map(read.agents.map((a) => [a.instanceId, a.status]));
      for (const id of instanceIds) agents.set(id, listed.get(id) ?? 'absent');
    } catch (error) {
      ctx.deps.logger.warn('cloud assistant status not read at submit', { region, error });
    }
  });
  return agents;
}

/** The key pair each instance had before the attach, when it differs from the bound one. */
async function replacedKeys(
  ctx: ServiceContext,
  preview: Preview | undefined,
  ids: readonly string[],
  boundId: string,
): Promise<{
  byInstance: Map<string, string>;
  known: KnownKeyRef[];
  unknown: ApplyNowSpec['unknownReplaced'];
}> {
  const before = new Map((preview?.instances ?? []).map((i) => [i.instanceId, i]));
  const byInstance = new Map<string, string>();
  const known = new Map<string, KnownKeyRef>();
  const unknown = new Map<string, ApplyNowSpec['unknownReplaced'][number]>();
  const lookups = new Map<string, Promise<KnownPublicKey | undefined>>();
  for (const id of ids) {
    const earlier = before.get(id);
    if (!earlier?.keyPairId || earlier.keyPairId === boundId) {
      if (earlier?.keyPairName && !earlier.keyPairId) countUnknown(unknown, earlier);
      continue;
    }
    const keyPairId = earlier.keyPairId;
    if (!lookups.has(keyPairId)) lookups.set(keyPairId, ctx.deps.keys.get(keyPairId));
    const found = await lookups.get(keyPairId);
    if (found) {
      byInstance.set(id, keyPairId);
      known.set(keyPairId, toRef(found));
    } else countUnknown(unknown, earlier);
  }
  return { byInstance, known: [...known.values()], unknown: [...unknown.values()] };
}

function countUnknown(
  into: Map<string, ApplyNowSpec['unknownReplaced'][number]>,
  key: { keyPairId?: string; keyPairName?: string },
): void {
  const at = key.keyPairId ?? `name:${key.keyPairName}`;
  const entry = into.get(at) ?? {
    ...(key.keyPairId ? { keyPairId: key.keyPairId } : {}),
    ...(key.keyPairName ? { keyPairName: key.keyPairName } : {}),
    count: 0,
  };
  entry.count += 1;
  into.set(at, entry);
}

function toRef(key: KnownPublicKey): KnownKeyRef {
  const { keyPairId, keyPairName, fingerprint, type, blob } = key;
  return { keyPairId, keyPairName, fingerprint, type, blob };
}
