import type { FileHandle } from 'node:fs/promises';
import { audienceOf } from '../domain/audience.js';
import type { MutationRequest } from '../domain/request.js';
import { type HistoryEntry, HistoryIndex, internKey } from './history-index.js';
import { findRequestProblem } from './live-file.js';
import { deepFreeze, endedAt, isRecord } from './records.js';

// The history file's lines: a request's JSON, or `{"removed":id}`. Reading the file builds the
// index the store keeps in memory; a line that does not parse is counted and skipped.

export type { HistoryEntry } from './history-index.js';

export const CHUNK = 1 << 20;

export interface Scan {
  index: HistoryIndex;
  skipped: number;
  size: number;
  /** The file does not end with a newline: the next write starts a new line. */
  torn: boolean;
}

/** Reads every line once, in chunks; the last version of an id wins. */
export async function scanHistory(handle: FileHandle): Promise<Scan> {
  const index = new HistoryIndex();
  let skipped = 0;
  const take = (buffer: Buffer, offset: number) => {
    const line = readLine(buffer, offset);
    if (line === 'skip') skipped++;
    else if (line && 'removed' in line) index.delete(line.removed);
    else if (line) index.set(line.id, line);
  };
  const size = (await handle.stat()).size;
  let torn = false;
  let carry = Buffer.alloc(0);
  let carryAt = 0;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length
      ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
      : chunk.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      take(data.subarray(start, nl), carryAt + start);
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start));
    carryAt += start;
  }
  // An unterminated last line: whole if it parses, else what a crash mid-write left.
  if (carry.length > 0) {
    torn = true;
    take(carry, carryAt);
  }
  return { index, skipped, size, torn };
}

/** The request a line holds, frozen, if it is one. */
export function parseRequest(buffer: Buffer): MutationRequest | undefined {
  const value = parseJson(buffer);
  return findRequestProblem(value) === undefined ? deepFreeze(value as MutationRequest) : undefined;
}

/** Entries (sorted by offset) grouped where each line directly follows the one before. */
export function runsOf(entries: readonly HistoryEntry[]): HistoryEntry[][] {
  const runs: HistoryEntry[][] = [];
  let run: HistoryEntry[] = [];
  for (const entry of entries) {
    const previous = run[run.length - 1];
    if (previous && previous.offset + previous.length + 1 !== entry.offset) {
      runs.push(run);
      run = [];
    }
    run.push(entry);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export function entryOf(
  request: MutationRequest,
  offset: number,
  length: number,
  pending?: MutationRequest,
): HistoryEntry {
  return {
    id: request.id,
    status: request.status,
    kind: request.kind,
    parentId: request.parentId,
    requesterId: request.requesterId,
    createdMs: Date.parse(request.createdAt),
    endedMs: endedAt(request),
    audience: audienceOf(request).map(internKey),
    offset,
    length,
    pending,
  };
}

/** An entry, a tombstone, undefined for a blank line, or a line to skip. */
function readLine(
  buffer: Buffer,
  offset: number,
): HistoryEntry | { removed: string } | undefined | 'skip' {
  if (buffer.length === 0) return undefined;
  const value = parseJson(buffer);
  if (isRecord(value) && typeof value.removed === 'string' && Object.keys(value).length === 1) {
    return { removed: value.removed };
  }
  if (findRequestProblem(value) !== undefined) return 'skip';
  return entryOf(value as unknown as MutationRequest, offset, buffer.length);
}

function parseJson(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
}
