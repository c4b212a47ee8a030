import { basename, dirname, extname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { isKeyType } from '../domain/public-key.js';
import type { KnownPublicKey, PublicKeyRegistry } from '../service/key-registry.js';
import { isRecord } from './records.js';
import { codeOf, StoreError } from './store-error.js';

// The public-key registry beside DATA_FILE (`db.json` -> `db.keys.json`), through lowdb's atomic
// file writes. Small (one entry per key pair) and rarely written: every put rewrites it whole.
// A file this bot cannot read is refused, never overwritten.

const VERSION = 1;

interface KeysData {
  version: typeof VERSION;
  keys: Record<string, KnownPublicKey>;
}

export function defaultKeysFile(dataFile: string): string {
  const file = resolve(dataFile);
  const ext = extname(file) === '.json' ? '.json' : '';
  return join(dirname(file), `${basename(file, ext)}.keys.json`);
}

export async function openLowdbKeyRegistry(file: string): Promise<PublicKeyRegistry> {
  const path = resolve(file);
  const db = new Low<KeysData>(
    new DataFile<KeysData>(path, {
      parse: (text) => parseKeys(path, text),
      stringify: (data) => `${JSON.stringify(data, null, 1)}\n`,
    }),
    { version: VERSION, keys: Object.create(null) as Record<string, KnownPublicKey> },
  );
  try {
    await db.read();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      'store_unreadable',
      `Cannot read the public keys in ${path} (${codeOf(error)}). Check DATA_FILE's directory and its permissions.`,
      { cause: error },
    );
  }
  let writes: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    put(key) {
      if (closed) return Promise.reject(new StoreError('store_closed', `${path} is closed.`));
      db.data.keys[key.keyPairId] = { ...key };
      const write = writes.then(() => db.write());
      writes = write.catch(() => {});
      return write.catch((error: unknown) => {
        throw new StoreError(
          'store_write_failed',
          `Cannot write the public keys to ${path} (${codeOf(error)}).`,
          { cause: error },
        );
      });
    },
    async get(keyPairId) {
      const key = Object.hasOwn(db.data.keys, keyPairId) ? db.data.keys[keyPairId] : undefined;
      return key ? { ...key } : undefined;
    },
    async close() {
      closed = true;
      await writes;
    },
  };
}

function parseKeys(file: string, text: string): KeysData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, 'not valid JSON', error);
  }
  if (!isRecord(value) || value.version !== VERSION || !isRecord(value.keys)) {
    throw corrupt(file, `not a version ${VERSION} public-key file`);
  }
  const keys = Object.create(null) as Record<string, KnownPublicKey>;
  for (const [id, key] of Object.entries(value.keys)) {
    if (!isRecord(key) || key.keyPairId !== id || !isKeyType(String(key.type))) {
      throw corrupt(file, `the entry ${id.slice(0, 80)} is not a public key`);
    }
    keys[id] = key as unknown as KnownPublicKey;
  }
  return { version: VERSION, keys };
}

function corrupt(file: string, what: string, cause?: unknown): StoreError {
  return new StoreError(
    'store_corrupt',
    `The public keys in ${file} are ${what}. The bot will not overwrite the file: restore it from a backup, or move it aside (keys must then be imported again).`,
    { cause },
  );
}
