import { readFileSync } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { MutationRequest } from '../domain/request.js';
import { type LiveData, parseLiveText, partJson, requestJson } from './live-file.js';
import { deepFreeze, isRecord } from './records.js';
import { codeOf, StoreError } from './store-error.js';

// The lowdb store's change log (issue 20): `<name>.changes.jsonl` beside DATA_FILE. A write
// appends one line per request changed since the last one, holding only what changed: the
// top-level fields whose value is another object than before (stored requests are frozen and
// changed by spreads, so an unchanged part keeps its identity) and the steps that changed. A step
// answered in a 5,000-instance attach costs a line of that step, not a rewrite of DATA_FILE.
//
//   {"e":3,"id":"ak-…","put":{…}}                          a new request, whole
//   {"e":3,"id":"ak-…","set":{…},"unset":[…],"steps":{"7":{…}},"n":12}   a change
//   {"e":3,"id":"ak-…","del":true}                         gone (moved to the history, removed)
//
// DATA_FILE carries an epoch; only lines of that epoch are not in it yet. Compaction writes
// DATA_FILE with the next epoch (atomically, as before) and then empties the log: a crash between
// the two leaves lines of the old epoch, which the next open skips. Opening replays the lines of
// the file's epoch in order; a torn last line (a crash mid-append) is ignored; the open then
// compacts, so the log starts empty. Like DATA_FILE's rewrite, an append is not fsync'ed: a
// killed process loses nothing the kernel took, a power loss may cost the last changes.

/** Lines of the change log as text, one per changed request (undefined: nothing to write). */
export function changeLine(
  epoch: number,
  id: string,
  base: MutationRequest | undefined,
  current: MutationRequest | undefined,
): string | undefined {
  const head = `{"e":${epoch},"id":${JSON.stringify(id)}`;
  if (!current) return base ? `${head},"del":true}\n` : undefined;
  if (!base) return `${head},"put":${requestJson(current)}}\n`;
  if (base === current) return undefined;
  const set: string[] = [];
  const unset: string[] = [];
  const was = base as unknown as Record<string, unknown>;
  const now = current as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (key === 'steps' || was[key] === now[key]) continue;
    const text = key in now ? partJson(now[key]) : undefined;
    if (text === undefined) unset.push(JSON.stringify(key));
    else set.push(`${JSON.stringify(key)}:${text}`);
  }
  const steps: string[] = [];
  if (base.steps !== current.steps) {
    current.steps.forEach((step, i) => {
      if (base.steps[i] !== step) steps.push(`"${i}":${partJson(step)}`);
    });
  }
  const sameLength = base.steps.length === current.steps.length;
  if (!set.length && !unset.length && !steps.length && sameLength) return undefined;
  return `${head},"set":{${set.join(',')}},"unset":[${unset.join(',')}],"steps":{${steps.join(',')}},"n":${current.steps.length}}\n`;
}

export interface Replayed {
  /** Lines of the file's epoch applied. */
  applied: number;
  /** Lines skipped: of another epoch (already folded in), or a change to an unknown request. */
  skipped: number;
  /** The last line was cut short (a crash mid-append) and was ignored. */
  torn: boolean;
}

/** Applies the log's lines of `epoch` to `requests` (a prototype-less map), in order. */
export function replayChanges(
  file: string,
  text: string,
  epoch: number,
  requests: Record<string, MutationRequest>,
): Replayed {
  const result: Replayed = { applied: 0, skipped: 0, torn: false };
  const lines = text.split('\n');
  // After the last newline: empty, or a line whose append never finished.
  const tail = lines.pop() ?? '';
  if (tail !== '') result.torn = true;
  lines.forEach((line, i) => {
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new StoreError(
        'store_corrupt',
        `The request store's change log ${file} has a damaged line ${i + 1} (not the last, so not a cut-short append). The bot will not overwrite it. Restore DATA_FILE and this file from a backup, or move both aside to start with an empty store.`,
        { cause },
      );
    }
    if (!isRecord(value) || value.e !== epoch || typeof value.id !== 'string') {
      result.skipped++;
      return;
    }
    if (apply(requests, value as unknown as ChangeRecord)) result.applied++;
    else result.skipped++;
  });
  return result;
}

interface ChangeRecord {
  id: string;
  put?: MutationRequest;
  del?: true;
  set?: Record<string, unknown>;
  unset?: string[];
  steps?: Record<string, MutationRequest['steps'][number]>;
  n?: number;
}

function apply(requests: Record<string, MutationRequest>, change: ChangeRecord): boolean {
  const { id } = change;
  if (change.del) {
    delete requests[id];
    return true;
  }
  if (change.put) {
    requests[id] = deepFreeze(change.put);
    return true;
  }
  const base = Object.hasOwn(requests, id) ? requests[id] : undefined;
  if (!base) return false;
  const next = { ...base, ...(change.set ?? {}) } as Record<string, unknown>;
  for (const key of change.unset ?? []) delete next[key];
  const steps = base.steps.slice(0, change.n ?? base.steps.length);
  for (const [i, step] of Object.entries(change.steps ?? {})) steps[Number(i)] = step;
  next.steps = steps;
  requests[id] = deepFreeze(next as unknown as MutationRequest);
  return true;
}

/** The open log: appends go to its end; `empty()` after a compaction. */
export class ChangeLogFile {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    public bytes: number,
  ) {}

  /** Opens (creating) the log; its text is what a replay reads. */
  static async open(file: string): Promise<{ log: ChangeLogFile; text: string }> {
    let text: string;
    try {
      text = await readFile(file, 'utf8').catch((error: unknown) => {
        if (codeOf(error) === 'ENOENT') return '';
        throw error;
      });
      const handle = await open(file, 'a');
      return { log: new ChangeLogFile(file, handle, Buffer.byteLength(text)), text };
    } catch (error) {
      throw new StoreError(
        'store_unreadable',
        `Cannot open the request store's change log ${file} (${codeOf(error)}). Give the bot's user read and write access to it and its directory.`,
        { cause: error },
      );
    }
  }

  async append(text: string): Promise<void> {
    await this.handle.appendFile(text, 'utf8');
    this.bytes += Buffer.byteLength(text);
  }

  async empty(): Promise<void> {
    await this.handle.truncate(0);
    this.bytes = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * DATA_FILE as the store would see it at its next open: the file with its change log's lines
 * replayed. Read-only (for the doctor, and tests that look at the files of a killed process).
 */
export function readLiveState(dataFile: string, changeLogFile: string): LiveData & Replayed {
  const parsed = parseLiveText(dataFile, readFileSync(dataFile, 'utf8'));
  let text = '';
  try {
    text = readFileSync(changeLogFile, 'utf8');
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
  const epoch = parsed.epoch ?? 0;
  const replayed = replayChanges(changeLogFile, text, epoch, parsed.requests);
  return { version: parsed.version, epoch, requests: parsed.requests, ...replayed };
}
