import { audienceOf } from '../../src/domain/audience.js';
import { isClosed } from '../../src/domain/lifecycle.js';
import type {
  InstanceOutcome,
  InstanceSnapshot,
  KeyPairInfo,
  MutationRequest,
} from '../../src/domain/request.js';
import type { RunCommandCall } from '../../src/service/cloud-assistant-port.js';
import type { ApproverDirectory } from '../../src/service/context.js';
import type { KnownPublicKey, PublicKeyRegistry } from '../../src/service/key-registry.js';
import {
  type AuditEvent,
  type AuditLog,
  type BatchAnswer,
  type BatchCall,
  CHILD_BLOCKING_STATUSES,
  type EcsApi,
  type KeyPairCall,
  type Logger,
  type Notifier,
  type RequestStore,
  STORE_UNAVAILABLE,
} from '../../src/service/ports.js';

// In-memory ports for the service's unit tests: same contracts as the real adapters, no I/O.

export function memoryStore(initial: MutationRequest[] = []) {
  const data = new Map(initial.map((r) => [r.id, structuredClone(r)]));
  const leases = new Map<string, { owner: string; until: number }>();
  let down = false;
  let downFor = 0;
  const check = () => {
    if (downFor > 0) downFor--;
    else if (!down) return;
    throw Object.assign(new Error('store is down'), { code: STORE_UNAVAILABLE });
  };
  const store = {
    data,
    leases,
    writes: 0,
    /** Makes every call fail as an unreachable database would. */
    setDown(value: boolean) {
      down = value;
    },
    /** The next `calls` calls fail as if the database were down, then it is back. */
    downForCalls(calls: number) {
      downFor = calls;
    },
    async get(id: string) {
      check();
      return data.get(id);
    },
    async insert(request: MutationRequest, options: { maxPendingOfRequester?: number } = {}) {
      check();
      if (data.has(request.id)) return { ok: false as const, reason: 'duplicate_id' as const };
      const limit = options.maxPendingOfRequester;
      const pending = [...data.values()].filter(
        (r) => r.status === 'pending' && r.requesterId === request.requesterId,
      ).length;
      if (limit !== undefined && pending >= limit) {
        return { ok: false as const, reason: 'too_many_open' as const };
      }
      if (request.parentId) {
        const existing = [...data.values()].find(
          (r) =>
            r.parentId === request.parentId &&
            r.kind === request.kind &&
            CHILD_BLOCKING_STATUSES.includes(r.status),
        );
        if (existing) return { ok: false as const, reason: 'child_exists' as const, existing };
      }
      data.set(request.id, structuredClone(request));
      store.writes++;
      return { ok: true as const };
    },
    async update<R>(
      id: string,
      change: (
        current: MutationRequest,
      ) => { ok: true; request: MutationRequest } | { ok: false; refusal: R },
    ) {
      check();
      const current = data.get(id);
      if (!current) return { ok: false as const, refusal: { reason: 'unknown_request' as const } };
      const result = change(current);
      if (!result.ok) return result;
      data.set(id, result.request);
      store.writes++;
      await Promise.resolve();
      return { ok: true as const, request: result.request };
    },
    async remove(id: string) {
      check();
      data.delete(id);
    },
    async listOpen() {
      check();
      return [...data.values()]
        .filter((r) => !isClosed(r))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async recent(query: { limit: number; requesterId?: string }) {
      check();
      return [...data.values()]
        .filter((r) => !query.requesterId || r.requesterId === query.requesterId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, query.limit);
    },
    async recentConcerning(query: { keys: readonly string[]; limit: number }) {
      check();
      const keys = new Set(query.keys);
      return [...data.values()]
        .filter((r) => audienceOf(r).some((key) => keys.has(key)))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, query.limit);
    },
    async children(parentId: string) {
      check();
      return [...data.values()].filter((r) => r.parentId === parentId);
    },
    async acquireLease(id: string, owner: string, until: Date, now: Date) {
      check();
      const held = leases.get(id);
      if (held && held.owner !== owner && held.until > now.getTime()) return false;
      leases.set(id, { owner, until: until.getTime() });
      return true;
    },
    async releaseLease(id: string, owner: string) {
      if (leases.get(id)?.owner === owner) leases.delete(id);
    },
    async archiveFinished(
      before: Date,
      record: (requests: readonly MutationRequest[]) => Promise<void>,
    ) {
      check();
      const due = [...data.values()].filter(
        (r) =>
          isClosed(r) &&
          Date.parse(r.finishedAt ?? r.decision?.at ?? r.createdAt) < before.getTime(),
      );
      if (due.length) await record(due);
      for (const r of due) data.delete(r.id);
      return due;
    },
    ping: async () => !down,
    flush: async () => {},
    close: async () => {},
  } satisfies RequestStore & Record<string, unknown>;
  return store;
}

export function memoryAudit(): AuditLog & { events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    events,
    append: async (event) => {
      events.push(structuredClone(event));
    },
    eventsFor: async (id) => events.filter((e) => e.requestId === id),
    lastSnapshot: async (id) =>
      events.filter((e) => e.requestId === id && e.type === 'archived').at(-1)?.request as
        | MutationRequest
        | undefined,
    close: async () => {},
  };
}

export interface RecordingNotifier extends Notifier {
  cards: MutationRequest[];
  updates: MutationRequest[];
  results: MutationRequest[];
  notes: Array<{ request: MutationRequest; news: string }>;
  reminders: MutationRequest[];
  failPostCard?: 'bot_not_in_channel' | 'post_failed';
}

export function recordingNotifier(): RecordingNotifier {
  let ts = 1000;
  const notifier: RecordingNotifier = {
    cards: [],
    updates: [],
    results: [],
    notes: [],
    reminders: [],
    postCard: async (request) => {
      if (notifier.failPostCard) {
        return { ok: false, failure: { reason: notifier.failPostCard, detail: 'not_in_channel' } };
      }
      notifier.cards.push(structuredClone(request));
      return { ok: true, card: { channel: request.channelId, ts: `${++ts}.0001` } };
    },
    updateCard: async (request) => {
      notifier.updates.push(structuredClone(request));
    },
    postResults: async (request) => {
      notifier.results.push(structuredClone(request));
      return { channel: request.card?.channel ?? 'C0', ts: `${++ts}.0002` };
    },
    tellRequester: async (request, news) => {
      notifier.notes.push({ request: structuredClone(request), news });
    },
    remind: async (request) => {
      notifier.reminders.push(structuredClone(request));
    },
  };
  return notifier;
}

export interface FakeInstance extends InstanceSnapshot {
  /** Forced per-instance error for mutations. */
  failWith?: string;
  /** Its Cloud Assistant agent's status (default Running); 'absent': none. */
  agent?: string;
}

/** A public-key registry in memory. */
export function memoryKeys(initial: KnownPublicKey[] = []): PublicKeyRegistry & {
  keys: Map<string, KnownPublicKey>;
} {
  const keys = new Map(initial.map((k) => [k.keyPairId, { ...k }]));
  return {
    keys,
    put: async (key) => {
      keys.set(key.keyPairId, { ...key });
    },
    get: async (keyPairId) => {
      const key = keys.get(keyPairId);
      return key ? { ...key } : undefined;
    },
    close: async () => {},
  };
}

type Held = { release: () => void; arrived: Promise<void> };

/**
 * An in-memory ECS with an inventory: instances with status and key pairs, key pairs, reboots that
 * bring an instance back after `rebootMs` of the test clock, and calls that can be held open.
 */
export function memoryEcs(
  options: { now: () => Date; rebootMs?: number } = { now: () => new Date() },
) {
  const instances = new Map<string, FakeInstance & { upAt?: number }>();
  const keyPairs = new Map<string, KeyPairInfo>();
  const calls: Array<{
    action: string;
    instanceIds: string[];
    clientToken?: string;
    keyPairName?: string;
    keyPairId?: string;
  }> = [];
  const applied = new Map<string, BatchAnswer>();
  const invocations = new Map<string, RunCommandCall & { invocationId: string }>();
  const holds: Array<{ action: string; gate: Promise<void>; arrive: () => void }> = [];
  let failNext: Array<{ action: string; error: Error }> = [];
  let sequence = 0;
  const rebootMs = options.rebootMs ?? 1_000;

  const statusOf = (i: FakeInstance & { upAt?: number }) => {
    if (i.upAt !== undefined && options.now().getTime() >= i.upAt) {
      i.status = 'RUNNING';
      delete i.upAt;
    }
    return i.status;
  };
  const snapshot = (i: FakeInstance & { upAt?: number }): InstanceSnapshot => {
    const { failWith: _f, upAt: _u, ...rest } = i;
    return { ...rest, status: statusOf(i) };
  };
  const gate = async (action: string) => {
    const index = holds.findIndex((h) => h.action === action);
    if (index >= 0) {
      const [hold] = holds.splice(index, 1);
      hold?.arrive();
      await hold?.gate;
    }
    const failure = failNext.find((f) => f.action === action);
    if (failure) {
      failNext = failNext.filter((f) => f !== failure);
      throw failure.error;
    }
  };

  async function mutate(
    action: string,
    call: BatchCall & Partial<KeyPairCall>,
    apply: (i: FakeInstance & { upAt?: number }) => string | undefined,
  ): Promise<BatchAnswer> {
    calls.push({
      action,
      instanceIds: [...call.instanceIds],
      clientToken: call.clientToken,
      keyPairName: call.keyPairName,
      keyPairId: call.keyPairId,
    });
    await gate(action);
    const earlier = applied.get(`${action}:${call.clientToken}`);
    if (earlier) return earlier;
    const outcomes: InstanceOutcome[] = call.instanceIds.map((id) => {
      const instance = instances.get(id);
      const code = !instance ? 'InvalidInstance.NotFound' : (instance.failWith ?? apply(instance));
      return code
        ? { instanceId: id, ok: false, code, message: code }
        : { instanceId: id, ok: true };
    });
    const answer = { requestId: `req-${++sequence}`, outcomes };
    applied.set(`${action}:${call.clientToken}`, answer);
    return answer;
  }

  const bindable = (i: FakeInstance) => i.status === 'RUNNING' || i.status === 'STOPPED';
  const ecs = {
    instances,
    keyPairs,
    calls,
    callsTo: (action: string) => calls.filter((c) => c.action === action),
    addInstance(instance: Partial<FakeInstance> & { instanceId: string }) {
      instances.set(instance.instanceId, {
        name: instance.instanceId.replace(/^i-/, 'host-'),
        status: 'RUNNING',
        osType: 'Linux',
        tags: [],
        ...instance,
      });
    },
    addKeyPair(keyPair: KeyPairInfo) {
      keyPairs.set(keyPair.keyPairName, keyPair);
    },
    /** The next call of `action` waits until released. */
    hold(action: string): Held {
      let release!: () => void;
      let arrive!: () => void;
      const gatePromise = new Promise<void>((r) => {
        release = r;
      });
      const arrived = new Promise<void>((r) => {
        arrive = r;
      });
      holds.push({ action, gate: gatePromise, arrive });
      return { release, arrived };
    },
    /** The next call of `action` throws this (after retries, as the client would). */
    failNextCall(action: string, error: Error & { code?: string }) {
      failNext.push({ action, error });
    },
    attachKeyPair: (call: KeyPairCall) =>
      mutate('AttachKeyPair', call, (i) => {
        if (i.osType === 'Windows') return 'InvalidKeyPairForWindows.Unsupported';
        if (!bindable(i)) return 'InvalidInstanceStatus';
        const key = call.keyPairId
          ? [...keyPairs.values()].find((k) => k.keyPairId === call.keyPairId)
          : keyPairs.get(call.keyPairName ?? '');
        i.keyPairId = key?.keyPairId ?? call.keyPairId;
        i.keyPairName = key?.keyPairName ?? call.keyPairName;
        return undefined;
      }),
    detachKeyPair: (call: KeyPairCall) =>
      mutate('DetachKeyPair', call, (i) => {
        if (!bindable(i)) return 'InvalidInstanceStatus';
        delete i.keyPairId;
        delete i.keyPairName;
        return undefined;
      }),
    rebootInstances: (call: BatchCall) =>
      mutate('RebootInstances', call, (i) => {
        if (statusOf(i) !== 'RUNNING') return 'InvalidInstanceStatus';
        i.status = 'REBOOTING';
        i.upAt = options.now().getTime() + rebootMs;
        return undefined;
      }),
    async describeInstances(query: { region: string; instanceIds: string[] }) {
      calls.push({ action: 'DescribeInstances', instanceIds: [...query.instanceIds] });
      await gate('DescribeInstances');
      const found = query.instanceIds.flatMap((id) => {
        const i = instances.get(id);
        return i ? [snapshot(i)] : [];
      });
      return { instances: found, requestIds: [`req-${++sequence}`], problems: [] };
    },
    async describeInstancesPage(query: { region: string; instanceName?: string }) {
      await gate('DescribeInstances');
      const list = [...instances.values()]
        .filter((i) => !query.instanceName || i.name.includes(query.instanceName))
        .map(snapshot);
      return { requestId: `req-${++sequence}`, instances: list };
    },
    async findKeyPair(query: { region: string; keyPairName?: string; keyPairId?: string }) {
      calls.push({ action: 'DescribeKeyPairs', instanceIds: [] });
      await gate('DescribeKeyPairs');
      if (query.keyPairId)
        return [...keyPairs.values()].find((k) => k.keyPairId === query.keyPairId);
      return keyPairs.get(query.keyPairName ?? '');
    },
    async suggestKeyPairs(query: { region: string; text: string; limit: number }) {
      return [...keyPairs.values()]
        .filter((k) => k.keyPairName.includes(query.text))
        .slice(0, query.limit);
    },
    // Cloud Assistant: agents Running unless told otherwise; every script succeeds at once.
    invocations,
    async cloudAssistantStatus(query: { region: string; instanceIds: string[] }) {
      calls.push({ action: 'DescribeCloudAssistantStatus', instanceIds: [...query.instanceIds] });
      await gate('DescribeCloudAssistantStatus');
      const agents = query.instanceIds.flatMap((id) => {
        const i = instances.get(id);
        const agent = i?.agent ?? 'Running';
        return i && agent !== 'absent' ? [{ instanceId: id, status: agent }] : [];
      });
      return { requestIds: [`req-${++sequence}`], agents };
    },
    async runCommand(call: RunCommandCall) {
      calls.push({ action: 'RunCommand', instanceIds: [...call.instanceIds] });
      await gate('RunCommand');
      const invocationId = `ivk-${++sequence}`;
      invocations.set(call.invocationName, { ...call, invocationId });
      return { requestId: `req-${sequence}`, invocationId };
    },
    async findInvocation(query: { region: string; invocationName: string }) {
      calls.push({ action: 'DescribeInvocations', instanceIds: [] });
      await gate('DescribeInvocations');
      const found = invocations.get(query.invocationName);
      return {
        requestId: `req-${++sequence}`,
        ...(found ? { invocation: { invocationId: found.invocationId, status: 'Success' } } : {}),
      };
    },
    async invocationResultsPage(query: {
      region: string;
      invocationId: string;
      pageNumber: number;
      pageSize: number;
    }) {
      calls.push({ action: 'DescribeInvocationResults', instanceIds: [] });
      await gate('DescribeInvocationResults');
      const found = [...invocations.values()].find((i) => i.invocationId === query.invocationId);
      const ids = found?.instanceIds ?? [];
      const start = (query.pageNumber - 1) * query.pageSize;
      const results = ids.slice(start, start + query.pageSize).map((instanceId) => ({
        instanceId,
        status: 'Success',
        exitCode: 0,
        output: 'attach-key-bot: added removed=0\n',
      }));
      return { requestId: `req-${++sequence}`, results, totalCount: ids.length };
    },
    async importKeyPair(): Promise<never> {
      throw new Error('memoryEcs does not import key pairs: use the fake ECS API');
    },
  } satisfies EcsApi & Record<string, unknown>;
  return ecs;
}

/** A directory of user groups; a group mapped to undefined cannot be resolved. */
export function memoryDirectory(
  groups: Record<string, string[] | undefined> = {},
): ApproverDirectory {
  return {
    membersOf: async (ids) =>
      new Map(ids.map((id) => [id, groups[id] ? new Set(groups[id]) : undefined])),
  };
}

export function silentLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export function manualClock(start = '2026-11-28T09:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
    /** A sleep that moves this clock instead of waiting (restart polls). */
    sleep: async (ms: number) => {
      current += ms;
      await Promise.resolve();
    },
  };
}
