import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { MutationRequest } from '../domain/request.js';
import type { AuditEvent, AuditLog } from '../service/ports.js';
import { type AuditArchive, defaultArchiveDir, openAuditArchive } from './audit-archive.js';

// The audit trail: one AuditEvent per line, appended through a handle opened with 'a' (O_APPEND),
// never truncated or rewritten. Appends are serialised and coalesced: lines queued while a write
// is in progress go out together in the next single write, so lines never interleave.
//
// Durability: by default an append resolves once write(2) has handed the bytes to the kernel. That
// survives the failures we plan for (crash, kill, restart, deploy) at no cost; like the request
// store (steno renames without fsync) it may lose the last events on power loss or a kernel crash.
// `durable: true` adds an fdatasync per coalesced write: a few ms on local SSDs, far more on
// network disks, paid by every click that records an event.
//
// An `archived` event's snapshot also goes to the keyed archive beside the trail
// (audit-archive.ts), so finding an archived request opens one small file and never reads the
// trail: `status` costs the same however long the trail grows.

export type AuditLogErrorCode = 'audit_unwritable' | 'audit_write_failed' | 'audit_closed';

export class AuditLogError extends Error {
  constructor(
    readonly code: AuditLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditLogError';
  }
}

export interface OpenedAuditLog extends AuditLog {
  /** The request as it was archived from the store, from the latest `archived` event. */
  lastSnapshot(requestId: string): Promise<MutationRequest | undefined>;
  /** Bytes read back from the trail since open (its scans: `eventsFor`, the first archive fill). */
  stats(): { trailBytesRead: number };
  /** Waits for queued appends, then closes the file; later appends are refused. */
  close(): Promise<void>;
}

/** `audit.jsonl` beside DATA_FILE, the default when AUDIT_FILE is not set. */
export function defaultAuditFile(dataFile: string): string {
  return join(dirname(dataFile), 'audit.jsonl');
}

export async function openAuditLog(options: {
  file: string;
  durable?: boolean;
  /** The keyed archive of snapshots; default `audit.archive/` beside the file. */
  archiveDir?: string;
}): Promise<OpenedAuditLog> {
  const file = resolve(options.file);
  const durable = options.durable ?? false;
  let handle: FileHandle;
  try {
    await mkdir(dirname(file), { recursive: true });
    handle = await open(file, 'a+');
    // A crash mid-write can leave a torn last line; start on a fresh line so the next event is
    // not glued to it (readers skip the torn fragment).
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.write('\n');
    }
  } catch (error) {
    throw new AuditLogError(
      'audit_unwritable',
      `Cannot open the audit log ${file} for appending (${codeOf(error)}). Check AUDIT_FILE (or DATA_FILE's directory) and its permissions.`,
      { cause: error },
    );
  }

  let trailBytesRead = 0;
  let queued: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let draining: Promise<void> | undefined;
  let closed = false;
  // After a failed write part of a line may be on disk; the next write starts a fresh line.
  let mayBeTorn = false;

  async function drain(): Promise<void> {
    await Promise.resolve();
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        // FileHandle.appendFile loops until every byte is written (write(2) may write fewer).
        const text = batch.map((item) => item.line).join('');
        await handle.appendFile(mayBeTorn ? `\n${text}` : text);
        mayBeTorn = false;
        if (durable) await handle.datasync();
        for (const item of batch) item.resolve();
      } catch (cause) {
        mayBeTorn = true;
        const error = new AuditLogError(
          'audit_write_failed',
          `Could not append to the audit log ${file} (${codeOf(cause)}).`,
          { cause },
        );
        for (const item of batch) item.reject(error);
      }
    }
    draining = undefined;
  }

  async function settle(): Promise<void> {
    while (draining) await draining;
  }

  /** Every parsable event in file order; a torn or foreign line is skipped, not fatal. */
  async function readEvents(keep: (line: string) => boolean): Promise<AuditEvent[]> {
    await settle();
    const events: AuditEvent[] = [];
    const input = createReadStream(file, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (!keep(line)) continue;
        const event = parseEvent(line);
        if (event) events.push(event);
      }
    } finally {
      trailBytesRead += input.bytesRead;
    }
    return events;
  }

  async function eventsFor(requestId: string): Promise<AuditEvent[]> {
    // Cheap text filter first: the id appears JSON-encoded in every line about it.
    const needle = JSON.stringify(requestId);
    const events = await readEvents((line) => line.includes(needle));
    return events.filter((event) => event.requestId === requestId);
  }

  let archive: AuditArchive;
  try {
    archive = await openAuditArchive(
      resolve(options.archiveDir ?? defaultArchiveDir(file)),
      async function* earlier() {
        for (const e of await readEvents((line) => line.includes('"archived"'))) {
          if (e.type === 'archived' && isSnapshot(e.request, e.requestId)) yield e.request;
        }
      },
    );
  } catch (error) {
    await handle.close().catch(() => {});
    throw new AuditLogError(
      'audit_unwritable',
      `Cannot prepare the archive beside the audit log ${file} (${codeOf(error)}). Check the permissions of its directory.`,
      { cause: error },
    );
  }

  function appendLine(event: AuditEvent): Promise<void> {
    // Serialised now, so a later change to the caller's object cannot alter what is recorded.
    let line: string;
    try {
      line = `${JSON.stringify(event)}\n`;
    } catch (cause) {
      return Promise.reject(cause);
    }
    return new Promise((resolveAppend, rejectAppend) => {
      queued.push({ line, resolve: resolveAppend, reject: rejectAppend });
      draining ??= drain();
    });
  }

  return {
    append(event) {
      if (closed) {
        return Promise.reject(
          new AuditLogError('audit_closed', `The audit log ${file} is closed.`),
        );
      }
      const written = appendLine(event);
      if (event.type !== 'archived' || !isSnapshot(event.request, event.requestId)) return written;
      // The line keeps its place among the appends; the keyed copy is written beside it, and
      // the archiving fails (so the store keeps the request) unless both are.
      const filed = archive.put(structuredClone(event.request));
      return Promise.all([written, filed]).then(() => undefined);
    },

    eventsFor,

    lastSnapshot: (requestId) => archive.get(requestId),

    stats: () => ({ trailBytesRead }),

    async close() {
      if (closed) return;
      closed = true;
      await settle();
      await handle.close();
    },
  };
}

function parseEvent(line: string): AuditEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as AuditEvent).type === 'string' &&
      typeof (value as AuditEvent).requestId === 'string'
    ) {
      return value as AuditEvent;
    }
  } catch {
    // A torn line from a crash mid-write.
  }
  return undefined;
}

function isSnapshot(value: unknown, requestId: string): value is MutationRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as MutationRequest).id === requestId &&
    typeof (value as MutationRequest).status === 'string'
  );
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
