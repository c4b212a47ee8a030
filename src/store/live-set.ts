import type { Low } from 'lowdb';
import { isClosed } from '../domain/lifecycle.js';
import type { MutationRequest } from '../domain/request.js';
import { type ChangeLogFile, changeLine } from './change-log.js';
import type { HistoryFile } from './history-file.js';
import type { LiveData } from './live-file.js';
import { codeOf, StoreError } from './store-error.js';

// DATA_FILE's requests in memory, the one writer that puts them on disk, and the move of closed
// requests to the history. A write appends what changed to the change log (change-log.ts); once
// the log outgrows COMPACT_MIN_BYTES and four times DATA_FILE, the write is a compaction instead:
// DATA_FILE rewritten whole with the next epoch, then the log emptied. Why the rewrite is atomic (lowdb 7.0.1, steno 4): DataFile -> steno
// `Writer.write` writes a temp file beside the target and renames it over it; a crash leaves the
// old file or the new one. steno does not fsync: after a power loss a short or empty file may
// remain, and is then refused as corrupt rather than overwritten.
//
// The move is crash-safe: a closed request is first written in DATA_FILE, then appended (and
// fdatasync'ed) to the history, and only then dropped from DATA_FILE. A crash in between leaves it
// in both, and the live copy wins at the next open.

type Waiter = { resolve(): void; reject(error: unknown): void };

/** The change log is folded into DATA_FILE once it is larger than this and 4 × DATA_FILE. */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;

export class LiveSet {
  private readonly requests: Record<string, MutationRequest>;
  /** Ids whose request is closed: they move to the history after the next write. */
  private readonly closed = new Set<string>();
  private readonly moving = new Set<string>();
  private readonly moves = new Set<Promise<void>>();
  private queued: Waiter[] = [];
  private draining: Promise<void> | undefined;
  /** Memory is ahead of DATA_FILE: the last write failed. */
  writeFailed = false;
  /** Completed writes (coalescing makes these far fewer than changes). */
  writes = 0;
  /** Completed compactions (DATA_FILE rewritten whole). */
  compactions = 0;
  /** Changed since the last write: each id with its version on disk (undefined: none). */
  private pending = new Map<string, MutationRequest | undefined>();
  private compactDue = false;
  /** The change log is folded in past this size (and 4 × DATA_FILE). */
  compactMinBytes = COMPACT_MIN_BYTES;

  constructor(
    private readonly file: string,
    private readonly db: Low<LiveData>,
    private readonly history: HistoryFile,
    private readonly log: ChangeLogFile,
    /** DATA_FILE's size as last written. */
    private readonly liveBytes: () => number,
  ) {
    this.requests = db.data.requests;
    for (const [id, request] of Object.entries(this.requests)) {
      if (isClosed(request)) this.closed.add(id);
    }
  }

  get size(): number {
    return Object.keys(this.requests).length;
  }

  has(id: string): boolean {
    return Object.hasOwn(this.requests, id);
  }

  get(id: string): MutationRequest | undefined {
    return this.has(id) ? this.requests[id] : undefined;
  }

  values(): MutationRequest[] {
    return Object.values(this.requests);
  }

  /** Not closed: what listOpen answers. */
  isOpen(request: MutationRequest): boolean {
    return !this.closed.has(request.id);
  }

  /** In memory now; on disk once `persist()` resolves. */
  place(id: string, request: MutationRequest): void {
    this.mark(id);
    this.requests[id] = request;
    if (isClosed(request)) this.closed.add(id);
    else this.closed.delete(id);
  }

  delete(id: string): void {
    this.mark(id);
    delete this.requests[id];
    this.closed.delete(id);
  }

  private mark(id: string): void {
    if (!this.pending.has(id)) this.pending.set(id, this.get(id));
  }

  /** Bytes in the change log. */
  get changeLogBytes(): number {
    return this.log.bytes;
  }

  /** The next write rewrites DATA_FILE whole and empties the change log. */
  compact(): Promise<void> {
    this.compactDue = true;
    return this.persist();
  }

  /** Moves the closed requests DATA_FILE holds as it was read (the open after a crash). */
  moveClosed(): void {
    this.move([...this.closed].map((id) => this.requests[id] as MutationRequest));
  }

  // One writer at a time. Changes land in memory synchronously; every caller waiting when a
  // write starts is covered by it (lowdb takes the text when the write starts), later callers
  // share the next one. Waiters resolve only after the write holding their change.
  persist(): Promise<void> {
    return new Promise((resolveWrite, rejectWrite) => {
      this.queued.push({ resolve: resolveWrite, reject: rejectWrite });
      this.draining ??= this.drain();
    });
  }

  /** Waits until nothing is being written or moved, ignoring failures (callers hear of them). */
  async settle(): Promise<void> {
    while (this.draining || this.moves.size > 0) {
      if (this.draining) await this.draining;
      if (this.moves.size > 0) await Promise.all(this.moves);
    }
  }

  private async drain(): Promise<void> {
    // Let every change made in the current tick join the first write.
    await Promise.resolve();
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      const closed = [...this.closed].map((id) => this.requests[id] as MutationRequest);
      try {
        const threshold = Math.max(this.compactMinBytes, 4 * this.liveBytes());
        const fold = this.compactDue || this.log.bytes > threshold || this.compactMinBytes === 0;
        if (fold) await this.rewrite();
        else await this.appendChanges();
        this.writes++;
        this.writeFailed = false;
        for (const waiter of batch) waiter.resolve();
        this.move(closed);
      } catch (cause) {
        this.writeFailed = true;
        const error = new StoreError(
          'store_write_failed',
          `Could not write the request store ${this.file} (${codeOf(cause)}). The change is kept in memory and goes out with the next successful write.`,
          { cause },
        );
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.draining = undefined;
  }

  /** DATA_FILE whole, with the next epoch; then the change log emptied. */
  private async rewrite(): Promise<void> {
    const taken = this.take();
    const epoch = this.db.data.epoch ?? 0;
    this.db.data.epoch = epoch + 1;
    try {
      // lowdb takes the text when the write starts: later changes are marked for the next write.
      await this.db.write();
    } catch (error) {
      this.db.data.epoch = epoch;
      this.putBack(taken);
      throw error;
    }
    this.compactDue = false;
    this.compactions++;
    // If this fails, the lines left are of the old epoch: the next open skips them.
    await this.log.empty().catch(() => {});
  }

  /** One append of a line per request changed since the last write. */
  private async appendChanges(): Promise<void> {
    const taken = this.take();
    const epoch = this.db.data.epoch ?? 0;
    let text = '';
    for (const [id, base] of taken) text += changeLine(epoch, id, base, this.get(id)) ?? '';
    if (!text) return;
    try {
      await this.log.append(text);
    } catch (error) {
      this.putBack(taken);
      throw error;
    }
  }

  private take(): Map<string, MutationRequest | undefined> {
    const taken = this.pending;
    this.pending = new Map();
    return taken;
  }

  /** A write failed: its changes join the next one, diffed from what is on disk. */
  private putBack(taken: Map<string, MutationRequest | undefined>): void {
    for (const [id, base] of taken) this.pending.set(id, base);
  }

  /** Closed requests now on disk in DATA_FILE: append them to the history, then drop them. */
  private move(written: readonly MutationRequest[]): void {
    const due = written.filter((r) => this.requests[r.id] === r && !this.moving.has(r.id));
    if (due.length === 0) return;
    for (const request of due) this.moving.add(request.id);
    const move = this.history.append(due).then(
      async () => {
        let rewrite = false;
        for (const request of due) {
          this.moving.delete(request.id);
          if (this.requests[request.id] === request) {
            this.delete(request.id);
            rewrite = true;
          } else if (this.has(request.id)) {
            // Changed while it moved: the live version wins, and moves after its next write.
            this.history.forget(request.id);
            if (this.closed.has(request.id)) rewrite = true;
          }
        }
        // A failed drop leaves a copy in both files, which the next open resolves.
        if (rewrite) await this.persist().catch(() => {});
      },
      () => {
        // They stay in DATA_FILE; the next write tries again.
        for (const request of due) this.moving.delete(request.id);
      },
    );
    this.moves.add(move);
    void move.finally(() => this.moves.delete(move));
  }
}
