import { createAssistantSim } from './cloud-assistant.js';
import { filterInstances, hasTagFilters, TAG_QUERY_CAP } from './instance-filters.js';
import { createInventory, type InventoryOptions, type SimKeyPair } from './inventory.js';
import { createKeyImportSim } from './key-import.js';
import {
  changeInstance,
  ECS_MESSAGES,
  filterKeyPairs,
  MAX_INSTANCE_IDS,
  type MutationAction,
  numbered,
  type Params,
  paginate,
  readMutation,
  type SimError,
  simError,
  toApiInstance,
  toApiKeyPair,
} from './simulator-actions.js';
import type {
  AnswerMeta,
  EcsAnswer,
  EcsApplication,
  EcsCall,
  EcsEnvelope,
  MutationContext,
} from './simulator-types.js';

/*
 * A stateful model of the ECS actions the bot uses (DescribeInstances, DescribeKeyPairs,
 * AttachKeyPair, DetachKeyPair, RebootInstances; ImportKeyPair in key-import.ts and Cloud
 * Assistant in cloud-assistant.ts), shared by the sandbox transport and the test
 * suite's loopback fake. Pure: no I/O and no timers. Time comes from `now()`, and a status that
 * changes with time (REBOOTING until T, then RUNNING) is settled whenever the instance is read,
 * so a manual clock makes every run deterministic. Front ends decide what an id they have never
 * seen is (the materialise policies) and add their own gateway checks, latency and scripting.
 */

export type { SimInvocation } from './cloud-assistant.js';
export type {
  InstanceSpec,
  InstanceStatus,
  KeyPairRef,
  KeyPairSpec,
  SimInstance,
  SimKeyPair,
  SimTag,
} from './inventory.js';
export { fingerprintOf } from './inventory.js';
export type { MutationAction, SimError } from './simulator-actions.js';
export { ECS_MESSAGES, simError } from './simulator-actions.js';
export type * from './simulator-types.js';

export const ECS_VERSION = '2020-04-01';

const MUTATIONS: ReadonlySet<string> = new Set([
  'AttachKeyPair',
  'DetachKeyPair',
  'RebootInstances',
]);

export interface EcsSimulatorOptions extends Partial<InventoryOptions> {
  /** Milliseconds; default Date.now. */
  now?: () => number;
  /** How long a reboot takes; default 3000 ms. */
  rebootMs?: number;
  /** How long a Cloud Assistant command runs before its result is final; default 1000 ms. */
  commandMs?: number;
  /** The RequestId of the n-th answer (n from 1). */
  requestId?: (n: number) => string;
  /** Runs after the request checks and the ClientToken lookup, before anything is applied. */
  beforeMutation?: (call: MutationContext) => SimError | undefined;
}

export type EcsSimulator = ReturnType<typeof createEcsSimulator>;

export function createEcsSimulator(options: EcsSimulatorOptions = {}) {
  const now = options.now ?? Date.now;
  const rebootMs = options.rebootMs ?? 3_000;
  const inventory = createInventory({ ...options, now });
  const assistant = createAssistantSim({
    now,
    see: inventory.see,
    list: inventory.list,
    commandMs: options.commandMs ?? 1_000,
  });
  const keyImport = createKeyImportSim(inventory, now);
  const failures = new Map<string, Map<string, { code: string; message: string }>>();
  const applications: EcsApplication[] = [];
  const tokens = new Map<string, EcsApplication>();
  let answers = 0;

  type Content = { Error: { Code: string; Message: string } } | { Result: unknown };

  function answer(meta: AnswerMeta, status: number, content: Content): EcsAnswer {
    answers += 1;
    const requestId =
      options.requestId?.(answers) ?? `sim${now().toString(16)}${String(answers).padStart(6, '0')}`;
    const metadata = {
      RequestId: requestId,
      Action: meta.action,
      Version: meta.version,
      Service: meta.service ?? 'ecs',
      Region: meta.region,
    };
    const body: EcsEnvelope =
      'Error' in content
        ? { ResponseMetadata: { ...metadata, Error: content.Error } }
        : { ResponseMetadata: metadata, Result: content.Result };
    return { status, body, requestId, replayed: false };
  }

  function errorAnswer(meta: AnswerMeta, error: SimError): EcsAnswer {
    return answer(meta, error.status, { Error: { Code: error.code, Message: error.message } });
  }

  function read(meta: AnswerMeta, result: unknown): EcsAnswer {
    return isSimError(result) ? errorAnswer(meta, result) : answer(meta, 200, { Result: result });
  }

  function describeInstances({ region, params }: EcsCall): unknown {
    const ids = numbered(params, 'InstanceIds');
    if (ids.length <= MAX_INSTANCE_IDS) for (const id of ids) inventory.see(id, region);
    const found = filterInstances(inventory.list(region), params);
    if (isSimError(found)) return found;
    // A tag query lists at most TAG_QUERY_CAP instances, while TotalCount counts them all.
    const listed = hasTagFilters(params) ? found.slice(0, TAG_QUERY_CAP) : found;
    const page = paginate(listed, params);
    if (isSimError(page)) return page;
    const Instances = page.items.map(toApiInstance);
    inventory.listed(page.items.map((i) => i.instanceId));
    return { Instances, NextToken: page.nextToken, TotalCount: found.length };
  }

  function describeKeyPairs({ region, params }: EcsCall): unknown {
    const names = numbered(params, 'KeyPairNames');
    const ids = numbered(params, 'KeyPairIds');
    if (names.length <= MAX_INSTANCE_IDS && ids.length <= MAX_INSTANCE_IDS) {
      for (const keyPairName of names) inventory.findKeyPair({ keyPairName }, region, true);
      for (const keyPairId of ids) inventory.findKeyPair({ keyPairId }, region, true);
    }
    const found = filterKeyPairs(inventory.listKeyPairs(region), params);
    if (isSimError(found)) return found;
    const page = paginate(found, params);
    if (isSimError(page)) return page;
    return { KeyPairs: page.items.map(toApiKeyPair), NextToken: page.nextToken };
  }

  function mutate(meta: AnswerMeta, action: MutationAction, params: Params): EcsAnswer {
    const request = readMutation(action, params);
    if (isSimError(request)) return errorAnswer(meta, request);
    const { region } = meta;
    const { clientToken, instanceIds, fingerprint } = request;
    const tokenKey = clientToken && `${region}\n${action}\n${clientToken}`;
    const earlier = tokenKey ? tokens.get(tokenKey) : undefined;
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        return errorAnswer(meta, simError(400, 'IdempotentParameterMismatch'));
      }
      // The stored answer, per-instance errors (FlowLimitExceeded too) included: nothing re-runs.
      earlier.replays += 1;
      const { status, body } = earlier.answer;
      return { status, body, requestId: earlier.requestId, application: earlier, replayed: true };
    }
    let keyPair: SimKeyPair | undefined;
    if (action !== 'RebootInstances') {
      keyPair = inventory.findKeyPair(request, region, true);
      if (!keyPair) return errorAnswer(meta, simError(404, 'InvalidKeyPair.NotFound'));
    }
    const context = {
      action,
      region,
      instanceIds,
      fingerprint,
      ...(clientToken && { clientToken }),
    };
    const refused = options.beforeMutation?.({ ...context, ...(keyPair && { keyPair }) });
    if (refused) return errorAnswer(meta, refused);
    const changed: string[] = [];
    const OperationDetails = instanceIds.map((InstanceId) => {
      // Seen first: a materialise policy may set a forced failure.
      const record = inventory.see(InstanceId, region);
      const forced = failures.get(InstanceId);
      const detail = changeInstance(action, record, {
        now: now(),
        rebootMs,
        ...(keyPair && { keyPair }),
        ...(forced && { forced: forced.get(action) ?? forced.get('*') }),
      });
      if (!detail) changed.push(InstanceId);
      return { InstanceId, Error: detail };
    });
    const reply = answer(meta, 200, { Result: { OperationDetails } });
    const application: EcsApplication = {
      ...context,
      instanceIds: [...instanceIds],
      ...(keyPair && { keyPairId: keyPair.keyPairId, keyPairName: keyPair.keyPairName }),
      changed,
      replays: 0,
      at: now(),
      requestId: reply.requestId,
      answer: { status: reply.status, body: reply.body },
    };
    applications.push(application);
    if (tokenKey) tokens.set(tokenKey, application);
    return { ...reply, application };
  }

  function handle(call: EcsCall): EcsAnswer {
    const meta = { action: call.action, version: call.version, region: call.region };
    if (call.version === ECS_VERSION) {
      if (call.action === 'DescribeInstances') return read(meta, describeInstances(call));
      if (call.action === 'DescribeKeyPairs') return read(meta, describeKeyPairs(call));
      if (isMutation(call.action)) return mutate(meta, call.action, call.params);
      const other = assistant.handle(call) ?? keyImport.handle(call);
      if (other !== undefined) return read(meta, other);
    }
    const message = `The specified Action ${meta.action} or Version ${meta.version} is invalid.`;
    return errorAnswer(meta, simError(404, 'InvalidActionOrVersion', message));
  }

  return {
    handle,
    /** A gateway-level error, in the same envelope and RequestId sequence. */
    errorAnswer,
    ...inventory.api,
    ...assistant.api,
    /** Every `action` (every mutation when absent) on this instance fails with this detail. */
    failInstance(instanceId: string, code: string, message?: string, action?: MutationAction) {
      const forced = failures.get(instanceId) ?? new Map();
      forced.set(action ?? '*', { code, message: message ?? ECS_MESSAGES[code] ?? code });
      failures.set(instanceId, forced);
    },
    clearFailures(instanceId?: string): void {
      if (instanceId === undefined) failures.clear();
      else failures.delete(instanceId);
    },
    /** Every applied mutation, in order. */
    applications: applications as readonly EcsApplication[],
    /** How many applied calls of `action` changed this instance. */
    timesChanged(action: MutationAction, instanceId: string): number {
      const counted = applications.filter((a) => a.action === action);
      return counted.filter((a) => a.changed.includes(instanceId)).length;
    },
    /** Forgets the inventory, failures, applications and tokens; RequestIds keep counting. */
    reset(): void {
      inventory.reset();
      assistant.reset();
      keyImport.reset();
      failures.clear();
      applications.length = 0;
      tokens.clear();
    },
  };
}

function isMutation(action: string): action is MutationAction {
  return MUTATIONS.has(action);
}

export function isSimError(value: unknown): value is SimError {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}
