import type { PublicKeyType } from '../domain/public-key.js';
import type { KnownPublicKey, PublicKeyRegistry } from '../service/key-registry.js';
import { type PgDatabase, run } from './pg-connection.js';
import { StoreError } from './store-error.js';

// The public-key registry in the request store's database: one row per key pair in
// `public_keys` (migration 2). A key recorded again replaces the row, in one statement.

interface Row {
  key_pair_id: string;
  key_pair_name: string;
  region: string;
  fingerprint: string;
  key_type: string;
  key_blob: string;
  comment: string | null;
  recorded_by: string;
  recorded_at: Date;
}

const UPSERT = {
  name: 'akb_put_public_key',
  text: `INSERT INTO public_keys (key_pair_id, key_pair_name, region, fingerprint, key_type,
      key_blob, comment, recorded_by, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (key_pair_id) DO UPDATE SET key_pair_name = EXCLUDED.key_pair_name,
      region = EXCLUDED.region, fingerprint = EXCLUDED.fingerprint, key_type = EXCLUDED.key_type,
      key_blob = EXCLUDED.key_blob, comment = EXCLUDED.comment,
      recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
};

export function createPgKeyRegistry(db: PgDatabase): PublicKeyRegistry {
  let closed = false;
  const open = () => {
    if (closed) throw new StoreError('store_closed', `The public keys in ${db.where} are closed.`);
  };
  return {
    async put(key) {
      open();
      await run(db, db.pool, UPSERT, [
        key.keyPairId,
        key.keyPairName,
        key.region,
        key.fingerprint,
        key.type,
        key.blob,
        key.comment ?? null,
        key.recordedBy,
        key.recordedAt,
      ]);
    },
    async get(keyPairId) {
      open();
      const result = await run<Row>(
        db,
        db.pool,
        'SELECT * FROM public_keys WHERE key_pair_id = $1',
        [keyPairId],
      );
      const row = result.rows[0];
      return row ? toKey(row) : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.release();
    },
  };
}

function toKey(row: Row): KnownPublicKey {
  return {
    keyPairId: row.key_pair_id,
    keyPairName: row.key_pair_name,
    region: row.region,
    fingerprint: row.fingerprint,
    type: row.key_type as PublicKeyType,
    blob: row.key_blob,
    ...(row.comment ? { comment: row.comment } : {}),
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at.toISOString(),
  };
}
