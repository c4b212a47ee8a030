import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MutationRequest } from '../domain/request.js';
import type { HistoryIndex } from './history-index.js';
import {
  CHUNK,
  entryOf,
  type HistoryEntry,
  parseRequest,
  runsOf,
  type Scan,
  scanHistory,
} from './history-lines.js';
import { requestJson } from './live-file.js';
import { codeOf, StoreError } from './store-error.js';

export type { HistoryEntry } from './history-lines.js';

// Closed requests, beside DATA_FILE: one JSON line per version of a request, appended through an
// O_APPEND handle and fdatasync'ed; the last line of an id wins, `{"removed":id}` forgets it. Only
// an index stays in memory (what listing and the follow-up rule need, and where the line is); a
// record is read from its offset on demand. A line that does not parse (a torn write after a
// crash) is skipped. Retention rewrites the file without what it archived: temp file, fsync,
// rename. Appends and rewrites run one at a time; appends made while one is written share the
// next write.

interface Line {
  text: string;
  written?(offset: number, length: number): void;
  failed?(): void;
}

interface OpenFile {
  handle: FileHandle;
  readers: number;
  retired: boolean;
}

export class HistoryFile {
  private current: OpenFile;
  private chain: Promise<unknown> = Promise.resolve();
  private queued:
    | { lines: Line[]; waiters: { resolve(): void; reject(e: unknown): void }[] }
    | undefined;
  private closed = false;
  /** The last append failed: part of a line may be on disk, so the next write starts a new one. */
  failed = false;

  private constructor(
    readonly file: string,
    handle: FileHandle,
    private size: number,
    private torn: boolean,
    private readonly index: HistoryIndex,
    readonly skippedLines: number,
  ) {
    this.current = { handle, readers: 0, retired: false };
  }

  static async open(file: string): Promise<HistoryFile> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'a+');
    } catch (error) {
      throw new StoreError(
        'store_unreadable',
        `Cannot open the request history ${file} (${codeOf(error)}). Give the bot's user read and write access to DATA_FILE's directory.`,
        { cause: error },
      );
    }
    let scanned: Scan;
    try {
      scanned = await scanHistory(handle);
    } catch (error) {
      await handle.close().catch(() => {});
      throw new StoreError(
        'store_unreadable',
        `Cannot read the request history ${file} (${codeOf(error)}).`,
        { cause: error },
      );
    }
    const { size, torn, index, skipped } = scanned;
    return new HistoryFile(file, handle, size, torn, index, skipped);
  }

  get count(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.size;
  }

  entry(id: string): HistoryEntry | undefined {
    return this.index.get(id);
  }

  entries(): IterableIterator<HistoryEntry> {
    return this.index.values();
  }

  /** Entries whose audience holds `key`, newest first. */
  newestWith(key: string): Iterable<HistoryEntry> {
    return this.index.newestWith(key);
  }

  /** The live file holds a newer version: this one no longer counts (memory only). */
  forget(id: string, entry?: HistoryEntry): void {
    if (!entry || this.index.get(id) === entry) this.index.delete(id);
  }

  async read(entry: HistoryEntry): Promise<MutationRequest> {
    if (entry.pending) return entry.pending;
    // Offsets change only in a rewrite, together with the handle: take both now.
    const file = this.current;
    const { offset, length } = entry;
    file.readers++;
    try {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.handle.read(buffer, 0, length, offset);
      const value = parseRequest(buffer.subarray(0, bytesRead));
      if (!value || value.id !== entry.id) {
        throw new StoreError(
          'store_corrupt',
          `The request history ${this.file} changed under the bot: the line of ${entry.id} at byte ${offset} is not that request. Restart the bot to re-read it.`,
        );
      }
      return value;
    } finally {
      file.readers--;
      if (file.retired && file.readers === 0) await file.handle.close().catch(() => {});
    }
  }

  /** Appends a version of each request; it counts at once, and is durable once this resolves. */
  append(requests: readonly MutationRequest[]): Promise<void> {
    const lines = requests.map((request): Line => {
      const previous = this.index.get(request.id);
      const entry = entryOf(request, -1, 0, request);
      this.index.set(request.id, entry);
      return {
        text: `${requestJson(request)}\n`,
        written: (offset, length) => {
          entry.offset = offset;
          entry.length = length;
          entry.pending = undefined;
        },
        failed: () => {
          if (this.index.get(request.id) !== entry) return;
          if (previous) this.index.set(request.id, previous);
          else this.index.delete(request.id);
        },
      };
    });
    return this.queue(lines);
  }

  /** Forgets a request: gone at once, durable once this resolves. */
  remove(id: string): Promise<void> {
    const entry = this.index.get(id);
    if (!entry) return this.settle();
    this.index.delete(id);
    return this.queue([
      {
        text: `${JSON.stringify({ removed: id })}\n`,
        failed: () => {
          if (!this.index.has(id)) this.index.set(id, entry);
        },
      },
    ]);
  }

  /**
   * Retention: rewrites the file without these entries (those still current), and without
   * superseded or removed lines. Returns the entries it dropped.
   */
  drop(due: readonly HistoryEntry[]): Promise<HistoryEntry[]> {
    return this.exclusive(() => this.rewrite(due));
  }

  async settle(): Promise<void> {
    while (this.queued) await this.chain;
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.settle();
    this.closed = true;
    this.current.retired = true;
    if (this.current.readers === 0) await this.current.handle.close();
  }

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => {});
    return run;
  }

  private queue(lines: Line[]): Promise<void> {
    if (this.closed) {
      for (const line of lines) line.failed?.();
      return Promise.reject(
        new StoreError('store_closed', `The request history ${this.file} is closed.`),
      );
    }
    let batch = this.queued;
    if (!batch) {
      const fresh = {
        lines: [] as Line[],
        waiters: [] as { resolve(): void; reject(e: unknown): void }[],
      };
      batch = fresh;
      this.queued = fresh;
      void this.exclusive(() => this.write(fresh));
    }
    batch.lines.push(...lines);
    const waiters = batch.waiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  private async write(batch: NonNullable<HistoryFile['queued']>): Promise<void> {
    // Appends from now on form the next batch.
    if (this.queued === batch) this.queued = undefined;
    const prefix = this.torn ? '\n' : '';
    let at = this.size + prefix.length;
    const placed = batch.lines.map((line) => {
      const length = Buffer.byteLength(line.text);
      const offset = at;
      at += length;
      return { line, offset, length: length - 1 };
    });
    try {
      // FileHandle.appendFile loops until every byte is written (write(2) may write fewer).
      await this.current.handle.appendFile(prefix + batch.lines.map((l) => l.text).join(''));
      await this.current.handle.datasync();
      this.size = at;
      this.torn = false;
      this.failed = false;
      for (const { line, offset, length } of placed) line.written?.(offset, length);
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (cause) {
      this.torn = true;
      this.failed = true;
      this.size = await this.current.handle.stat().then(
        (s) => s.size,
        () => this.size,
      );
      for (const { line } of placed) line.failed?.();
      const error = new StoreError(
        'store_write_failed',
        `Could not append to the request history ${this.file} (${codeOf(cause)}). The requests stay in DATA_FILE until it works.`,
        { cause },
      );
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }

  private async rewrite(due: readonly HistoryEntry[]): Promise<HistoryEntry[]> {
    const dropped = due.filter((entry) => this.index.get(entry.id) === entry && entry.offset >= 0);
    if (dropped.length === 0) return [];
    const gone = new Set(dropped);
    const kept = [...this.index.values()]
      .filter((entry) => !gone.has(entry) && entry.offset >= 0)
      .sort((a, b) => a.offset - b.offset);
    const temp = join(dirname(this.file), `.${basename(this.file)}.tmp`);
    const moved = new Map<HistoryEntry, number>();
    let handle: FileHandle;
    let size = 0;
    try {
      const out = await open(temp, 'w');
      try {
        // Most lines stay: copy runs of adjacent kept lines in large reads, not line by line.
        for (const run of runsOf(kept)) {
          const last = run[run.length - 1] as HistoryEntry;
          const start = (run[0] as HistoryEntry).offset;
          const end = last.offset + last.length;
          for (const entry of run) moved.set(entry, size + entry.offset - start);
          for (let at = start; at < end; at += CHUNK) {
            const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
            const { bytesRead } = await this.current.handle.read(buffer, 0, buffer.length, at);
            if (bytesRead !== buffer.length) throw new Error(`short read at byte ${at}`);
            await out.writeFile(buffer);
          }
          // The run's last newline (an unterminated last line of the file has none).
          await out.writeFile('\n');
          size += end - start + 1;
        }
        await out.datasync();
      } finally {
        await out.close();
      }
      await rename(temp, this.file);
      handle = await open(this.file, 'a+');
    } catch (cause) {
      await rm(temp, { force: true }).catch(() => {});
      throw new StoreError(
        'store_write_failed',
        `Could not rewrite the request history ${this.file} for retention (${codeOf(cause)}). Nothing was removed.`,
        { cause },
      );
    }
    // Handle, offsets and index change together, with no await in between.
    const old = this.current;
    old.retired = true;
    if (old.readers === 0) void old.handle.close().catch(() => {});
    this.current = { handle, readers: 0, retired: false };
    this.size = size;
    this.torn = false;
    for (const [entry, offset] of moved) entry.offset = offset;
    for (const entry of dropped) this.forget(entry.id, entry);
    return dropped;
  }
}
