import type { AttachRequest } from '../../src/domain/request.js';
import type {
  AttachKeyPairAnswer,
  AttachKeyPairCall,
  AuditEvent,
  AuditLog,
  EcsApi,
  Logger,
  Notifier,
  RequestStore,
} from '../../src/service/ports.js';

// In-memory ports for the service's unit tests: same contracts as the real adapters, no I/O.

export function memoryStore(initial: AttachRequest[] = []): RequestStore & {
  data: Map<string, AttachRequest>;
  writes: number;
} {
  const data = new Map(initial.map((r) => [r.id, structuredClone(r)]));
  const store = {
    data,
    writes: 0,
    get: (id: string) => data.get(id),
    insert: async (request: AttachRequest) => {
      if (data.has(request.id)) throw new Error(`duplicate id ${request.id}`);
      data.set(request.id, structuredClone(request));
      store.writes++;
    },
    update: async <R>(
      id: string,
      change: (
        current: AttachRequest,
      ) => { ok: true; request: AttachRequest } | { ok: false; refusal: R },
    ) => {
      const current = data.get(id);
      if (!current) return { ok: false as const, refusal: { reason: 'unknown_request' as const } };
      const result = change(current);
      if (!result.ok) return result;
      data.set(id, result.request);
      store.writes++;
      await Promise.resolve();
      return { ok: true as const, request: result.request };
    },
    remove: async (id: string) => {
      data.delete(id);
    },
    listByStatus: (statuses: readonly string[]) =>
      [...data.values()].filter((r) => statuses.includes(r.status)),
    recent: (limit: number) =>
      [...data.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit),
    archiveFinished: async (
      before: Date,
      record: (requests: readonly AttachRequest[]) => Promise<void>,
    ) => {
      const due = [...data.values()].filter(
        (r) =>
          ['rejected', 'expired', 'done', 'failed'].includes(r.status) &&
          Date.parse(r.finishedAt ?? r.decision?.at ?? r.createdAt) < before.getTime(),
      );
      if (due.length) await record(due);
      for (const r of due) data.delete(r.id);
      return due;
    },
    ping: async () => true,
    flush: async () => {},
  };
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
        | AttachRequest
        | undefined,
  };
}

export interface RecordingNotifier extends Notifier {
  cards: AttachRequest[];
  updates: AttachRequest[];
  results: AttachRequest[];
  expiredNotices: AttachRequest[];
  failPostCard?: 'bot_not_in_channel' | 'post_failed';
}

export function recordingNotifier(): RecordingNotifier {
  let ts = 1000;
  const notifier: RecordingNotifier = {
    cards: [],
    updates: [],
    results: [],
    expiredNotices: [],
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
      return true;
    },
    tellExpired: async (request) => {
      notifier.expiredNotices.push(structuredClone(request));
    },
  };
  return notifier;
}

/** An EcsApi whose calls can be held open and released by the test. */
export function scriptedEcs(): EcsApi & {
  calls: AttachKeyPairCall[];
  answer: (call: AttachKeyPairCall) => Promise<AttachKeyPairAnswer>;
} {
  const ecs = {
    calls: [] as AttachKeyPairCall[],
    answer: async (call: AttachKeyPairCall): Promise<AttachKeyPairAnswer> => ({
      requestId: `req-${call.clientToken}`,
      outcomes: call.instanceIds.map((instanceId) => ({ instanceId, ok: true as const })),
    }),
    attachKeyPair: async (call: AttachKeyPairCall) => {
      ecs.calls.push(structuredClone(call));
      return ecs.answer(call);
    },
  };
  return ecs;
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
  };
}
