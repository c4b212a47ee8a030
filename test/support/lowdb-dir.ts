import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { readLiveState } from '../../src/store/change-log.js';
import { defaultChangeLogFile } from '../../src/store/lowdb-store.js';

// A fresh directory per test for the lowdb store's files, and ways to look into them.

export interface StoreDir {
  readonly dir: string;
  /** DATA_FILE: db.json. */
  readonly file: string;
  /** Its history beside it. */
  readonly historyFile: string;
}

export function useStoreDir(): StoreDir {
  const paths = { dir: '', file: '', historyFile: '' };
  beforeEach(async () => {
    paths.dir = await mkdtemp(join(tmpdir(), 'attach-key-store-'));
    paths.file = join(paths.dir, 'db.json');
    paths.historyFile = join(paths.dir, 'db.history.jsonl');
  });
  afterEach(async () => {
    await chmod(paths.dir, 0o700).catch(() => {});
    await rm(paths.dir, { recursive: true, force: true });
  });
  return paths;
}

/** DATA_FILE as the store reads it at open: the file, with its change log replayed. */
export const readLive = async (path: string) => readLiveState(path, defaultChangeLogFile(path));

export const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

export const linesOf = async (path: string) =>
  (await readFile(path, 'utf8')).split('\n').filter(Boolean);

/** A format-2 DATA_FILE holding these requests. */
export const v2 = (...requests: MutationRequest[]) =>
  JSON.stringify({ version: 2, requests: Object.fromEntries(requests.map((r) => [r.id, r])) });
