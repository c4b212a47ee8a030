import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Low } from 'lowdb';
import { isClosed } from '../domain/lifecycle.js';
import type { MutationRequest } from '../domain/request.js';
import type {
  ChangeResult,
  InsertOptions,
  InsertResult,
  RequestStore,
  UpdateResult,
} from '../service/ports.js';
import { ChangeLogFile, type Replayed, replayChanges } from './change-log.js';
import { type HistoryEntry, HistoryFile } from './history-file.js';
import type { LiveData } from './live-file.js';
import { LiveSet } from './live-set.js';
import {
  defaultChangeLogFile,
  defaultHistoryFile,
  keepOldFormat,
  type LowdbStoreStats,
  readDataFile,
} from './lowdb-files.js';
import {
  blockingChildOf,
  childrenOf,
  pendingOf,
  recentConcerningOf,
  recentOf,
  sortOldest,
} from './lowdb-queries.js';
import { deepFreeze } from './records.js';
import { idChanged, StoreError } from './store-error.js';

export {
  defaultChangeLogFile,
  defaultHistoryFile,
  inspectLowdbStore,
  type LowdbStoreStats,
} from './lowdb-files.js';

// RequestStore on lowdb 7, for one process. Live requests sit in DATA_FILE and the change log
// beside it: a change appends what changed, DATA_FILE is rewritten whole at open, at a size
// threshold and at a clean close (live-set.ts, change-log.ts); closed ones (isClosed) move to the history file beside it
// (history-file.ts), so a state change costs what is live, not what is history. On open an id
// found in both is the live copy's, and a closed one is moved again. Leases live in memory: a new
// process owns everything.

export interface LowdbRequestStore extends RequestStore {
  stats(): LowdbStoreStats;
}

export async function openLowdbStore(options: {
  dataFile: string;
  historyFile?: string;
  /** Fold the change log into DATA_FILE past this size (default: live-set.ts COMPACT_MIN_BYTES). */
  compactBytes?: number;
}): Promise<LowdbRequestStore> {
  const file = resolve(options.dataFile);
  const { db, sizes, upgradedFrom } = await readDataFile(file);
  const { log, text } = await ChangeLogFile.open(defaultChangeLogFile(file));
  let history: HistoryFile | undefined;
  try {
    const replayed = replayChanges(log.file, text, db.data.epoch ?? 0, db.data.requests);
    history = await HistoryFile.open(resolve(options.historyFile ?? defaultHistoryFile(file)));
    const store = new LowdbStore(file, db, history, log, sizes, upgradedFrom, replayed);
    if (options.compactBytes !== undefined) store.compactBytes(options.compactBytes);
    await store.start(text !== '' || sizes.read === 0);
    return store;
  } catch (error) {
    await history?.close().catch(() => {});
    await log.close().catch(() => {});
    throw error;
  }
}

class LowdbStore implements LowdbRequestStore {
  private readonly live: LiveSet;
  private readonly leases = new Map<string, { owner: string; until: number }>();
  private archiving: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    db: Low<LiveData>,
    private readonly history: HistoryFile,
    private readonly log: ChangeLogFile,
    private readonly sizes: { read: number; written: number },
    private readonly upgradedFrom: 1 | undefined,
    private readonly replayed: Replayed,
  ) {
    this.live = new LiveSet(file, db, history, log, () => sizes.written || sizes.read);
  }

  compactBytes(bytes: number): void {
    this.live.compactMinBytes = bytes;
  }

  /** `fold`: the change log has lines (or DATA_FILE is new): write DATA_FILE whole first. */
  async start(fold: boolean): Promise<void> {
    // The live copy wins over any history line of the same id.
    for (const request of this.live.values()) this.history.forget(request.id);
    if (this.upgradedFrom) await keepOldFormat(this.file, this.upgradedFrom);
    // DATA_FILE already holds the closed ones: history first, then DATA_FILE drops them.
    this.live.moveClosed();
    await this.live.settle();
    // Format 2 goes to disk only now, after the upgrade (a failure here fails the start).
    if (this.upgradedFrom || this.live.writeFailed || fold) await this.live.compact();
  }

  async get(id: string): Promise<MutationRequest | undefined> {
    this.assertOpen();
    if (this.live.has(id)) return this.live.get(id);
    const entry = this.history.entry(id);
    return entry ? this.history.read(entry) : undefined;
  }

  async insert(request: MutationRequest, options: InsertOptions = {}): Promise<InsertResult> {
    this.assertOpen();
    if (this.live.has(request.id) || this.history.entry(request.id)) {
      await this.live.settle();
      return { ok: false, reason: 'duplicate_id' };
    }
    const child =
      request.parentId && blockingChildOf(this.live, this.history, request.parentId, request.kind);
    if (child) {
      const existing = 'value' in child ? child.value : await this.history.read(child.entry);
      await this.live.settle();
      return { ok: false, reason: 'child_exists', existing };
    }
    // Counted and placed with no await in between: the check-and-insert of this one process.
    const limit = options.maxPendingOfRequester;
    if (limit !== undefined && pendingOf(this.live, request.requesterId) >= limit) {
      await this.live.settle();
      return { ok: false, reason: 'too_many_open' };
    }
    this.live.place(request.id, deepFreeze(structuredClone(request)));
    await this.live.persist();
    return { ok: true };
  }

  async update<R>(
    id: string,
    change: (current: MutationRequest) => ChangeResult<R>,
  ): Promise<UpdateResult<R>> {
    this.assertOpen();
    for (;;) {
      if (this.live.has(id)) {
        // Read, decide and assign with no await in between: this is the check-and-set.
        const result = change(this.live.get(id) as MutationRequest);
        if (!result.ok) {
          // Judged against memory: answer once that state is on disk.
          await this.live.settle();
          return { ok: false, refusal: result.refusal };
        }
        const next = checked(id, result.request);
        this.live.place(id, next);
        await this.live.persist();
        return { ok: true, request: next };
      }
      const entry = this.history.entry(id);
      if (!entry) return { ok: false, refusal: { reason: 'unknown_request' } };
      const current = await this.history.read(entry);
      // Someone changed it while it was read: judge the newer version.
      if (this.live.has(id) || this.history.entry(id) !== entry) continue;
      const result = change(current);
      if (!result.ok) {
        await this.history.settle();
        return { ok: false, refusal: result.refusal };
      }
      const next = checked(id, result.request);
      if (isClosed(next)) {
        await this.history.append([next]);
      } else {
        this.history.forget(id, entry);
        this.live.place(id, next);
        await this.live.persist();
      }
      return { ok: true, request: next };
    }
  }

  async remove(id: string): Promise<void> {
    this.assertOpen();
    this.leases.delete(id);
    // Both places: a request on its way to the history is in each until the move completes.
    const writes: Promise<void>[] = [];
    if (this.live.has(id)) {
      this.live.delete(id);
      writes.push(this.live.persist());
    }
    if (this.history.entry(id)) writes.push(this.history.remove(id));
    if (writes.length === 0) await this.live.settle();
    await Promise.all(writes);
  }

  async listOpen(): Promise<MutationRequest[]> {
    this.assertOpen();
    // Closed requests about to move are still in DATA_FILE; everything open is.
    return sortOldest(this.live.values().filter((r) => this.live.isOpen(r)));
  }

  async recent(query: { limit: number; requesterId?: string }): Promise<MutationRequest[]> {
    this.assertOpen();
    return recentOf(this.live, this.history, query);
  }

  async recentConcerning(query: {
    keys: readonly string[];
    limit: number;
  }): Promise<MutationRequest[]> {
    this.assertOpen();
    return recentConcerningOf(this.live, this.history, query);
  }

  async children(parentId: string): Promise<MutationRequest[]> {
    this.assertOpen();
    return childrenOf(this.live, this.history, parentId);
  }

  async acquireLease(id: string, owner: string, until: Date, now: Date): Promise<boolean> {
    this.assertOpen();
    if (!this.live.has(id) && !this.history.entry(id)) return false;
    const held = this.leases.get(id);
    if (held && held.owner !== owner && held.until > now.getTime()) return false;
    this.leases.set(id, { owner, until: until.getTime() });
    return true;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    if (this.leases.get(id)?.owner === owner) this.leases.delete(id);
  }

  archiveFinished(
    before: Date,
    record: (requests: readonly MutationRequest[]) => Promise<void>,
  ): Promise<MutationRequest[]> {
    // One sweep at a time: a second one starts after the first and finds nothing left to do.
    const run = this.archiving.then(() => this.archive(before, record));
    this.archiving = run.catch(() => {});
    return run;
  }

  async ping(): Promise<boolean> {
    if (this.closed || this.live.writeFailed || this.history.failed) return false;
    try {
      await access(dirname(this.file), constants.W_OK);
      const existing = await stat(this.file).catch(() => undefined);
      return !existing?.isDirectory();
    } catch {
      return false;
    }
  }

  async flush(): Promise<void> {
    await this.live.settle();
    // Memory is ahead of the disk after a failed write: try once more (moves follow the write).
    if (this.live.writeFailed || this.history.failed) {
      await this.live.persist();
      await this.live.settle();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
      // A clean stop leaves everything in DATA_FILE and an empty change log (backups, rollbacks).
      if (this.live.changeLogBytes > 0) await this.live.compact();
    } finally {
      this.closed = true;
      await this.history.close();
      await this.log.close().catch(() => {});
    }
  }

  stats(): LowdbStoreStats {
    return {
      live: this.live.size,
      history: this.history.count,
      fileBytes: this.sizes.written || this.sizes.read,
      historyBytes: this.history.bytes,
      writes: this.live.writes,
      compactions: this.live.compactions,
      changeLogBytes: this.live.changeLogBytes,
      tornChangeLine: this.replayed.torn,
      skippedHistoryLines: this.history.skippedLines,
      ...(this.upgradedFrom ? { upgradedFrom: this.upgradedFrom } : {}),
    };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StoreError('store_closed', `The request store ${this.file} is closed.`);
    }
  }

  private async archive(
    before: Date,
    record: (requests: readonly MutationRequest[]) => Promise<void>,
  ): Promise<MutationRequest[]> {
    this.assertOpen();
    const cutoff = before.getTime();
    const due = [...this.history.entries()].filter(
      (e) => e.offset >= 0 && e.endedMs < cutoff && !this.live.has(e.id),
    );
    if (due.length === 0) return [];
    const requests = await Promise.all(due.map((e) => this.history.read(e)));
    // Recorded first: if `record` throws, nothing is removed.
    await record(requests);
    // Only what is still exactly what was recorded goes; a newer version waits for the next sweep.
    const dropped = new Set(await this.history.drop(due));
    const removed = requests.filter((_, i) => dropped.has(due[i] as HistoryEntry));
    for (const request of removed) this.leases.delete(request.id);
    return removed;
  }
}

function checked(id: string, request: MutationRequest): MutationRequest {
  if (request.id !== id) throw idChanged(id, request.id);
  // No clone: `change` built the new value from frozen parts (spreads), so freezing what is new
  // is enough to keep every stored value immutable.
  return deepFreeze(request);
}
