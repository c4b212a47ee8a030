import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { type AttachRequest, FINAL_STATUSES, type RequestStatus } from '../domain/request.js';
import type { RequestStore, UpdateResult } from '../service/ports.js';

// RequestStore on lowdb 7. Why writes are atomic (read in node_modules, lowdb 7.0.1, steno 4):
// lowdb's DataFile -> TextFile -> steno `Writer.write`, which writes the whole text to a temp file
// beside the target (`.<name>.tmp`, same directory, so same filesystem) and then `rename`s it over
// the target. rename(2) replaces the name atomically: a reader or a restart after a crash sees the
// old file or the new one, never a mix. steno does not fsync, so after a power loss (not a process
// crash) a filesystem without replace-on-rename ordering may keep the older file or a short one;
// a short/empty file is then refused as corrupt below rather than overwritten.
// We use DataFile with plain JSON.stringify (JSONFile pretty-prints with 2 spaces): the whole file
// is rewritten on every write, so compact output keeps each write small.

const STORE_VERSION = 1;

interface StoreFile {
  version: typeof STORE_VERSION;
  requests: Record<string, AttachRequest>;
}

export type StoreErrorCode =
  | 'store_unreadable'
  | 'store_corrupt'
  | 'store_write_failed'
  | 'duplicate_request'
  | 'request_id_changed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface StoreStats {
  requests: number;
  /** Size of the file as last read or written. */
  fileBytes: number;
  /** Completed writes since open (coalescing makes this far fewer than the updates). */
  writes: number;
}

export interface OpenedRequestStore extends RequestStore {
  /**
   * Removes finished requests (rejected, expired, done, failed) that ended before `before`.
   * `record` (the audit trail) receives them first; only once it resolves are they removed, so a
   * crash in between leaves a request in both places (harmless) rather than in neither.
   */
  archiveFinished(
    before: Date,
    record?: (requests: readonly AttachRequest[]) => Promise<void>,
  ): Promise<AttachRequest[]>;
  stats(): StoreStats;
  /** Waits for queued writes; there is no handle to release. */
  close(): Promise<void>;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set<RequestStatus>([
  'pending',
  'approved',
  'rejected',
  'expired',
  'executing',
  'done',
  'failed',
]);

const WHAT_TO_DO =
  'The bot will not overwrite it. Restore it from a backup, or move it aside to start with an empty store.';

export async function openRequestStore(options: { dataFile: string }): Promise<OpenedRequestStore> {
  const file = resolve(options.dataFile);
  const dir = dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new StoreError(
      'store_unreadable',
      `Cannot create the directory ${dir} for the request store (${codeOf(error)}). Check DATA_FILE and the permissions of its parent directories.`,
      { cause: error },
    );
  }

  let fileBytes = 0;
  let pendingBytes = 0;
  const adapter = new DataFile<StoreFile>(file, {
    parse: (text) => {
      fileBytes = Buffer.byteLength(text);
      return parseStoreText(file, text);
    },
    stringify: (data) => {
      const text = stringifyStore(data);
      pendingBytes = Buffer.byteLength(text);
      return text;
    },
  });
  const db = new Low<StoreFile>(adapter, { version: STORE_VERSION, requests: nullObject() });
  try {
    await db.read();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('store_unreadable', describeUnreadable(file, error), { cause: error });
  }
  const requests = db.data.requests;

  // One writer at a time. Changes land in memory synchronously; every caller waiting when a write
  // starts is covered by it (the text is taken when the write starts), later callers share the
  // next one. Waiters resolve only after the write holding their change completed. (steno has a
  // queue of its own, but we never call it while a write is in flight, so it stays unused.)
  let queued: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let draining: Promise<void> | undefined;
  let lastWriteFailed = false;
  let writes = 0;

  function persist(): Promise<void> {
    return new Promise((resolveWrite, rejectWrite) => {
      queued.push({ resolve: resolveWrite, reject: rejectWrite });
      draining ??= drain();
    });
  }

  async function drain(): Promise<void> {
    // Let every change made in the current tick join the first write.
    await Promise.resolve();
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await db.write();
        writes++;
        fileBytes = pendingBytes;
        lastWriteFailed = false;
        for (const waiter of batch) waiter.resolve();
      } catch (cause) {
        lastWriteFailed = true;
        const error = new StoreError(
          'store_write_failed',
          `Could not write the request store ${file} (${codeOf(cause)}). The change is kept in memory and goes out with the next successful write.`,
          { cause },
        );
        for (const waiter of batch) waiter.reject(error);
      }
    }
    draining = undefined;
  }

  /** Waits until nothing is being written, ignoring failures (their callers hear of them). */
  async function settle(): Promise<void> {
    while (draining) await draining;
  }

  async function flush(): Promise<void> {
    await settle();
    // Memory is ahead of the disk after a failed write: try once more.
    if (lastWriteFailed) await persist();
  }

  function sortedByCreation(list: AttachRequest[]): AttachRequest[] {
    return list.sort(
      (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || compareText(a.id, b.id),
    );
  }

  return {
    get: (id) => (Object.hasOwn(requests, id) ? requests[id] : undefined),

    async insert(request) {
      if (Object.hasOwn(requests, request.id)) {
        throw new StoreError(
          'duplicate_request',
          `A request with id ${request.id} already exists.`,
        );
      }
      requests[request.id] = deepFreeze(structuredClone(request));
      await persist();
    },

    async update<R>(
      id: string,
      change: (
        current: AttachRequest,
      ) => { ok: true; request: AttachRequest } | { ok: false; refusal: R },
    ): Promise<UpdateResult<R>> {
      // Read, decide and assign with no await in between: this is the check-and-set.
      const current = Object.hasOwn(requests, id) ? requests[id] : undefined;
      if (!current) return { ok: false, refusal: { reason: 'unknown_request' } };
      const result = change(current);
      if (!result.ok) {
        // The refusal was judged against memory; answer once that state is on disk.
        await settle();
        return { ok: false, refusal: result.refusal };
      }
      if (result.request.id !== id) {
        throw new StoreError(
          'request_id_changed',
          `An update of request ${id} returned request ${result.request.id}; ids never change.`,
        );
      }
      // No clone: `change` built the new value from frozen parts (spreads), so freezing what is
      // new is enough to keep every stored value immutable.
      const next = deepFreeze(result.request);
      requests[id] = next;
      await persist();
      return { ok: true, request: next };
    },

    async remove(id) {
      if (!Object.hasOwn(requests, id)) return settle();
      delete requests[id];
      await persist();
    },

    listByStatus(statuses) {
      const wanted = new Set(statuses);
      return sortedByCreation(Object.values(requests).filter((r) => wanted.has(r.status)));
    },

    recent: (limit) => newest(Object.values(requests), limit),

    async ping() {
      if (lastWriteFailed) return false;
      try {
        await access(dir, constants.W_OK);
        const existing = await stat(file).catch(() => undefined);
        return !existing?.isDirectory();
      } catch {
        return false;
      }
    },

    flush,

    async archiveFinished(before, record) {
      const cutoff = before.getTime();
      const due = Object.values(requests).filter(
        (r) => FINAL_STATUSES.has(r.status) && endedAt(r) < cutoff,
      );
      if (due.length === 0) return [];
      await record?.(due);
      // Only what is still exactly what was recorded goes; anything changed meanwhile waits for
      // the next sweep (and is recorded again then).
      const removed = due.filter((r) => Object.hasOwn(requests, r.id) && requests[r.id] === r);
      for (const r of removed) delete requests[r.id];
      if (removed.length > 0) await persist();
      return removed;
    },

    stats: () => ({ requests: Object.keys(requests).length, fileBytes, writes }),

    close: flush,
  };
}

/** When a finished request ended: finishedAt, else its decision, else its creation. */
function endedAt(request: AttachRequest): number {
  for (const at of [request.finishedAt, request.decision?.at, request.createdAt]) {
    const time = at ? Date.parse(at) : Number.NaN;
    if (!Number.isNaN(time)) return time;
  }
  return Number.POSITIVE_INFINITY;
}

function parseStoreText(file: string, text: string): StoreFile {
  if (text.trim() === '') {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is empty (a crash or a full disk can leave it so). ${WHAT_TO_DO}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is not valid JSON (${locateSyntaxError(text, error)}). ${WHAT_TO_DO}`,
      { cause: error },
    );
  }
  if (isRecord(value) && typeof value.version === 'number' && value.version > STORE_VERSION) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} was written by a newer version of the bot (format ${value.version}; this one reads ${STORE_VERSION}). The bot will not overwrite it. Run the newer version, or restore a backup.`,
    );
  }
  const problem = findShapeProblem(value);
  if (problem) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is not in the expected format (${problem}). ${WHAT_TO_DO}`,
    );
  }
  const data = value as StoreFile;
  // A prototype-less map: ids are data, never Object.prototype keys.
  const requests = nullObject();
  for (const [id, request] of Object.entries(data.requests)) requests[id] = deepFreeze(request);
  return { version: STORE_VERSION, requests };
}

function findShapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected an object with "version" and "requests"';
  if (value.version !== STORE_VERSION) return `"version" is ${JSON.stringify(value.version)}`;
  if (!isRecord(value.requests)) return '"requests" is not an object';
  for (const [id, request] of Object.entries(value.requests)) {
    const where = `requests[${JSON.stringify(id)}]`;
    if (!isRecord(request)) return `${where} is not an object`;
    if (request.id !== id) return `${where}.id does not match its key`;
    if (typeof request.status !== 'string' || !KNOWN_STATUSES.has(request.status)) {
      return `${where}.status is ${JSON.stringify(request.status)}`;
    }
    for (const field of ['requesterId', 'channelId', 'region', 'createdAt', 'expiresAt']) {
      if (typeof request[field] !== 'string') return `${where}.${field} is not a string`;
    }
    if (!Array.isArray(request.instanceIds)) return `${where}.instanceIds is not a list`;
    if (!Array.isArray(request.batches)) return `${where}.batches is not a list`;
  }
  return undefined;
}

/** "line 3, column 7" (Node 20's V8 often gives no position, so we find it ourselves). */
function locateSyntaxError(text: string, error: unknown): string {
  const offset = findJsonErrorOffset(text);
  if (offset === undefined) {
    // V8's "Unexpected token 'x', "<excerpt>" is not valid JSON": keep the reason only.
    const message = error instanceof Error ? error.message : String(error);
    return message.split(', "')[0] ?? message;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  if (offset >= text.length) return `it ends early, at line ${line}: the file looks truncated`;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

const JSON_SPACE = /[ \t\n\r]*/y;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_LITERAL = /true|false|null/y;

/** Offset of the first JSON syntax error; best effort, only called after JSON.parse failed. */
function findJsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  const expect = (char: string): void => {
    match(JSON_SPACE);
    if (text[at] !== char) throw new JsonStop(at);
    at++;
  };
  const value = (): void => {
    match(JSON_SPACE);
    const open = text[at];
    if (open === '{' || open === '[') {
      const close = open === '{' ? '}' : ']';
      at++;
      match(JSON_SPACE);
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (open === '{') {
          match(JSON_SPACE);
          if (!match(JSON_STRING)) throw new JsonStop(at);
          expect(':');
        }
        value();
        match(JSON_SPACE);
        if (text[at] !== ',') {
          expect(close);
          return;
        }
        at++;
      }
    }
    if (!match(JSON_STRING) && !match(JSON_NUMBER) && !match(JSON_LITERAL)) throw new JsonStop(at);
  };
  try {
    value();
    match(JSON_SPACE);
    return at < text.length ? at : undefined;
  } catch (stop) {
    return stop instanceof JsonStop ? stop.offset : undefined;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

function describeUnreadable(file: string, error: unknown): string {
  const code = codeOf(error);
  if (code === 'EISDIR') {
    return `Cannot read the request store ${file}: it is a directory. Point DATA_FILE at a file (for example ${file}/db.json).`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `Cannot read the request store ${file}: permission denied. Give the bot's user read and write access to the file and its directory, or point DATA_FILE elsewhere.`;
  }
  return `Cannot read the request store ${file} (${code}). Check that DATA_FILE names a readable file.`;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullObject(): Record<string, AttachRequest> {
  return Object.create(null) as Record<string, AttachRequest>;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stored values are shared with callers; freezing makes an update outside `update` fail loudly. */
/** Freezes what is not frozen yet; a frozen object's parts were frozen with it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// Stored requests are frozen, so a request's JSON never changes: cache it by identity and a write
// re-serialises only the requests that changed since the last one.
const jsonOf = new WeakMap<AttachRequest, string>();

function stringifyStore(data: StoreFile): string {
  const parts: string[] = [];
  for (const [id, request] of Object.entries(data.requests)) {
    let json = jsonOf.get(request);
    if (json === undefined) {
      json = JSON.stringify(request);
      jsonOf.set(request, json);
    }
    parts.push(`${JSON.stringify(id)}:${json}`);
  }
  return `{"version":${data.version},"requests":{${parts.join(',')}}}`;
}

/** The `limit` most recent requests, newest first, without sorting the whole store. */
function newest(all: readonly AttachRequest[], limit: number): AttachRequest[] {
  const top: AttachRequest[] = [];
  if (limit <= 0) return top;
  const newer = (a: AttachRequest, b: AttachRequest) =>
    a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
  for (const request of all) {
    if (top.length === limit && !newer(request, top[limit - 1] as AttachRequest)) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && newer(request, top[at - 1] as AttachRequest)) at--;
    top.splice(at, 0, request);
    if (top.length > limit) top.pop();
  }
  return top;
}
