import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { replayChanges } from './change-log.js';
import { HistoryFile } from './history-file.js';
import {
  describeUnreadable,
  emptyRequests,
  LIVE_VERSION,
  type LiveData,
  parseLiveText,
  stringifyLive,
} from './live-file.js';
import { codeOf, StoreError } from './store-error.js';

// The lowdb store's files: DATA_FILE read through lowdb (refused, never overwritten, when it is
// not a store this bot reads), the history beside it, the copy kept of an older format, and the
// doctor's read-only look at both.

export interface LowdbStoreStats {
  /** Requests in DATA_FILE (not closed, or closed and about to move). */
  live: number;
  /** Closed requests in the history file. */
  history: number;
  /** Size of DATA_FILE as last read or written. */
  fileBytes: number;
  historyBytes: number;
  /** Completed writes since open (coalescing makes these far fewer than changes). */
  writes: number;
  /** Of those, the ones that rewrote DATA_FILE whole (folding the change log in). */
  compactions: number;
  /** Size of the change log beside DATA_FILE now. */
  changeLogBytes: number;
  /** The change log's last line was cut short (a crash mid-append) and was ignored at open. */
  tornChangeLine: boolean;
  /** History lines that did not parse (a torn write after a crash), skipped. */
  skippedHistoryLines: number;
  /** DATA_FILE was in this older format and has been upgraded. */
  upgradedFrom?: 1;
}

/** `<name>.history.jsonl` beside DATA_FILE (`db.json` -> `db.history.jsonl`). */
export function defaultHistoryFile(dataFile: string): string {
  const file = resolve(dataFile);
  const ext = extname(file) === '.json' ? '.json' : '';
  return join(dirname(file), `${basename(file, ext)}.history.jsonl`);
}

/** `<name>.changes.jsonl` beside DATA_FILE (`db.json` -> `db.changes.jsonl`): change-log.ts. */
export function defaultChangeLogFile(dataFile: string): string {
  const file = resolve(dataFile);
  const ext = extname(file) === '.json' ? '.json' : '';
  return join(dirname(file), `${basename(file, ext)}.changes.jsonl`);
}

/** DATA_FILE through lowdb's DataFile (compact JSON: the file is rewritten on every change). */
export async function readDataFile(file: string): Promise<{
  db: Low<LiveData>;
  /** Bytes of DATA_FILE as read, and as last written. */
  sizes: { read: number; written: number };
  upgradedFrom: 1 | undefined;
}> {
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
  const sizes = { read: 0, written: 0 };
  let upgradedFrom: 1 | undefined;
  const adapter = new DataFile<LiveData>(file, {
    parse: (text) => {
      sizes.read = Buffer.byteLength(text);
      const parsed = parseLiveText(file, text);
      upgradedFrom = parsed.upgradedFrom;
      return {
        version: LIVE_VERSION,
        ...(parsed.epoch !== undefined ? { epoch: parsed.epoch } : {}),
        requests: parsed.requests,
      };
    },
    stringify: (data) => {
      const text = stringifyLive(data);
      sizes.written = Buffer.byteLength(text);
      return text;
    },
  });
  const db = new Low<LiveData>(adapter, { version: LIVE_VERSION, requests: emptyRequests() });
  try {
    await db.read();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('store_unreadable', describeUnreadable(file, error), { cause: error });
  }
  return { db, sizes, upgradedFrom };
}

/** `db.json.v1-backup`: the file as the older bot left it, kept once, before format 2 replaces it. */
export async function keepOldFormat(file: string, version: number): Promise<void> {
  try {
    await copyFile(file, `${file}.v${version}-backup`, constants.COPYFILE_EXCL);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return;
    throw new StoreError(
      'store_write_failed',
      `Cannot keep a copy of the format-${version} request store before upgrading it (${codeOf(error)}). Give the bot's user write access to ${dirname(file)}.`,
      { cause: error },
    );
  }
}

/** What `npm run doctor` shows of DATA_FILE without opening (or upgrading) the store. */
export async function inspectLowdbStore(dataFile: string): Promise<{
  version: number;
  live: number;
  fileBytes: number;
  history: number | undefined;
}> {
  const file = resolve(dataFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StoreError('store_unreadable', describeUnreadable(file, error), { cause: error });
  }
  const parsed = parseLiveText(file, text);
  // With what changed since the last fold (a damaged line is reported as the store would at start).
  const changeLog = defaultChangeLogFile(file);
  const changes = await readFile(changeLog, 'utf8').catch(() => '');
  replayChanges(changeLog, changes, parsed.epoch ?? 0, parsed.requests);
  const historyFile = defaultHistoryFile(file);
  const exists = await stat(historyFile).then(
    () => true,
    () => false,
  );
  let history: number | undefined;
  if (exists) {
    const opened = await HistoryFile.open(historyFile);
    history = opened.count;
    await opened.close();
  }
  return {
    version: parsed.upgradedFrom ?? LIVE_VERSION,
    live: Object.keys(parsed.requests).length,
    fileBytes: Buffer.byteLength(text),
    history,
  };
}
