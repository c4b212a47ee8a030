import type { PolicyRule } from '../../src/domain/policy.js';
import type { MutationRequest } from '../../src/domain/request.js';
import type { ServiceSettings } from '../../src/service/context.js';
import { createService } from '../../src/service/service.js';
import {
  manualClock,
  memoryAudit,
  memoryDirectory,
  memoryEcs,
  memoryKeys,
  memoryStore,
  recordingNotifier,
  silentLogger,
} from './memory-ports.js';

// The service on in-memory ports with a manual clock, for the lifecycle's unit tests.

export const APPROVERS = ['UAPP1', 'UAPP2', 'UAPP3'];

export interface RigOptions {
  initial?: MutationRequest[];
  settings?: Partial<Omit<ServiceSettings, 'policy'>>;
  policy?: {
    minApprovals?: number;
    rules?: PolicyRule[];
    approvers?: string[];
    allowSelfApproval?: boolean;
  };
  groups?: Record<string, string[] | undefined>;
  replicaId?: string;
  /** Share one store between two rigs (two replicas). */
  store?: ReturnType<typeof memoryStore>;
  clock?: ReturnType<typeof manualClock>;
  ecs?: ReturnType<typeof memoryEcs>;
  keys?: ReturnType<typeof memoryKeys>;
}

export function serviceRig(options: RigOptions = {}) {
  const clock = options.clock ?? manualClock();
  const store = options.store ?? memoryStore(options.initial);
  const ecs = options.ecs ?? memoryEcs({ now: clock.now });
  const notifier = recordingNotifier();
  const audit = memoryAudit();
  const keys = options.keys ?? memoryKeys();
  const logger = silentLogger();
  let n = 0;
  const prefix = options.replicaId ?? 'r1';
  const service = createService({
    store,
    ecs,
    notifier,
    audit,
    keys,
    directory: memoryDirectory(options.groups),
    clock,
    logger,
    newRequestId: () => `ak-${prefix}-${++n}`,
    replicaId: prefix,
    sleep: clock.sleep,
    settings: {
      policy: {
        minApprovals: options.policy?.minApprovals ?? 1,
        approvers: options.policy?.approvers ?? APPROVERS,
        allowSelfApproval: options.policy?.allowSelfApproval ?? false,
        rules: options.policy?.rules ?? [],
      },
      requesterIds: [],
      allowedChannelIds: [],
      maxInstancesPerRequest: 500,
      maxOpenRequestsPerUser: 5,
      requestTtlMinutes: 60,
      sandbox: false,
      maxConcurrency: 4,
      retentionDays: 30,
      restart: { waveSize: 10, waveTimeoutMs: 600_000 },
      undoWindowHours: 24,
      applyNowUser: 'root',
      leaseSeconds: 30,
      ...options.settings,
    },
  });
  return { service, store, ecs, notifier, audit, clock, logger, keys };
}

export type Rig = ReturnType<typeof serviceRig>;

/** Instances i-inst0001… RUNNING with no key pair, and the key pair `ops-key`. */
export function stock(
  rig: Rig,
  count: number,
  extra: Partial<Parameters<Rig['ecs']['addInstance']>[0]> = {},
) {
  const ids = Array.from({ length: count }, (_, i) => `i-inst${String(i + 1).padStart(4, '0')}`);
  for (const instanceId of ids) rig.ecs.addInstance({ instanceId, ...extra });
  rig.ecs.addKeyPair({ keyPairId: 'kp-ops00001', keyPairName: 'ops-key', fingerprint: 'aa:bb:cc' });
  return ids;
}

export async function submitted(
  rig: Rig,
  instanceIds: string[],
  requesterId = 'UREQ',
  keyPairName = 'ops-key',
) {
  const result = await rig.service.submit({
    draft: { instanceIds, keyPairName, region: 'cn-beijing' },
    requesterId,
    channelId: 'C0OPS',
  });
  if (!result.ok) throw new Error(`submit refused: ${JSON.stringify(result.refusal)}`);
  return result.request;
}

/** Approves with enough distinct approvers and waits for the execution to finish. */
export async function approvedAndRun(rig: Rig, requestId: string, approvers = ['UAPP1']) {
  for (const userId of approvers) {
    const result = await rig.service.decide({ requestId, userId, kind: 'approve' });
    if (!result.ok) throw new Error(`approval refused: ${JSON.stringify(result.refusal)}`);
  }
  await rig.service.idle();
  return (await rig.store.get(requestId)) as MutationRequest;
}
