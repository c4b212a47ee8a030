import type pg from 'pg';
import type { MutationRequest } from '../domain/request.js';
import {
  CHILD_BLOCKING_STATUSES,
  type ChangeResult,
  type InsertOptions,
  type InsertResult,
  type RequestStore,
  type UpdateResult,
} from '../service/ports.js';
import { INSERT_WITH_AUDIENCE, RECENT_CONCERNING_IDS } from './pg-audience.js';
import { inTransaction, type PgDatabase, run, script, withClient } from './pg-connection.js';
import {
  createKnownRequests,
  selectVersion,
  selectVersioned,
  type VersionedRow,
} from './pg-known.js';
import {
  changes,
  headerValues,
  type Row,
  SELECT_REQUEST,
  toRequest,
  upsertSteps,
} from './pg-rows.js';
import { deepFreeze } from './records.js';
import { idChanged, StoreError } from './store-error.js';

// RequestStore on PostgreSQL, safe for several replicas. A request is a header row and one row
// per step (pg-rows.ts). `update` locks the header row (SELECT … FOR UPDATE), runs `change`, and
// writes in the same transaction only what changed: values are rebuilt with spreads, so a part
// whose identity is unchanged is unchanged, and a journal write to one step of a 5,000-instance
// request writes that step's row alone. One follow-up per parent and kind is a partial unique
// index, so two replicas inserting at once produce one. Leases are one conditional UPDATE.

export interface PgStoreStats {
  connections: number;
  idle: number;
  waiting: number;
}

export interface PgRequestStore extends RequestStore {
  stats(): PgStoreStats;
}

const BLOCKING = [...CHILD_BLOCKING_STATUSES];
/** One requester's inserts with a pending limit, one at a time on every replica (released at COMMIT). */
const PENDING_LOCK = `SELECT pg_advisory_xact_lock(hashtext('attach-key-bot:pending:' || $1))`;
const COUNT_PENDING = `SELECT count(*)::integer AS n FROM requests WHERE requester_id = $1 AND status = 'pending'`;

export function createPgStore(db: PgDatabase): PgRequestStore {
  let closed = false;
  const known = createKnownRequests();
  const open = () => {
    if (closed) throw new StoreError('store_closed', `The request store ${db.where} is closed.`);
  };
  const query = <R extends pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
    on: pg.Pool | pg.PoolClient = db.pool,
  ) => run<R>(db, on, text, values);

  async function select(where: string, values: unknown[], on?: pg.PoolClient) {
    const result = await query<Row>(`${SELECT_REQUEST} ${where}`, values, on);
    return result.rows.map(toRequest);
  }

  async function existingChild(request: MutationRequest): Promise<MutationRequest | undefined> {
    const [child] = await select(
      'WHERE r.parent_id = $1 AND r.kind = $2 AND r.status = ANY($3) LIMIT 1',
      [request.parentId, request.kind, BLOCKING],
    );
    return child;
  }

  async function insertOnce(
    request: MutationRequest,
    options: InsertOptions,
  ): Promise<InsertResult | undefined> {
    // Every request has audience rows (its requester at least): none means nothing was inserted.
    const insertHeader = async (client?: pg.PoolClient) =>
      ((await query(INSERT_WITH_AUDIENCE, headerValues(request), client)).rowCount ?? 0) > 0;
    const limit = options.maxPendingOfRequester;
    // Steps (rare at insert) go in the same transaction as their header; a pending limit is
    // counted in it too, under a lock per requester that every replica's insert takes.
    const inserted =
      request.steps.length === 0 && limit === undefined
        ? await insertHeader()
        : await inTransaction(db, async (client): Promise<boolean | 'too_many_open'> => {
            if (limit !== undefined) {
              await query(PENDING_LOCK, [request.requesterId], client);
              const [row] = (
                await query<{ n: number }>(COUNT_PENDING, [request.requesterId], client)
              ).rows;
              if ((row?.n ?? 0) >= limit) return 'too_many_open';
            }
            if (!(await insertHeader(client))) return false;
            const steps = request.steps.map((step, idx) => [idx, step] as const);
            if (steps.length) await run(db, client, upsertSteps(request.id, steps));
            return true;
          });
    if (inserted === 'too_many_open') return { ok: false, reason: 'too_many_open' };
    if (inserted) return { ok: true };
    // Which unique rule refused it; a blocking follow-up may have gone meanwhile: try again.
    const [same] = (await query('SELECT 1 FROM requests WHERE id = $1', [request.id])).rows;
    if (same) return { ok: false, reason: 'duplicate_id' };
    const existing = request.parentId !== undefined ? await existingChild(request) : undefined;
    return existing ? { ok: false, reason: 'child_exists', existing } : undefined;
  }

  return {
    async get(id) {
      open();
      await known.settled(id);
      const asked = known.lookup(id);
      const [row] = (await query<VersionedRow>(selectVersioned(id, asked, false))).rows;
      if (!row) {
        known.forget(id);
        return undefined;
      }
      return known.read(id, row, asked);
    },

    async insert(request, options = {}) {
      open();
      const copy = deepFreeze(structuredClone(request));
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = await insertOnce(copy, options);
        if (result) return result;
      }
      throw new StoreError(
        'store_query_failed',
        `Could not insert request ${request.id}: a conflicting request kept appearing and vanishing.`,
      );
    },

    async update<R>(
      id: string,
      change: (current: MutationRequest) => ChangeResult<R>,
    ): Promise<UpdateResult<R>> {
      open();
      // Two round trips: BEGIN with the locking read, then the writes with COMMIT. The row lock
      // is the check-and-set: no other change to this request interleaves. The read sends the
      // request only if its version is not the one this process knows (pg-known.ts).
      const work = withClient(db, async (client): Promise<UpdateResult<R>> => {
        try {
          const asked = known.lookup(id);
          const [, locked] = await script(db, client, ['BEGIN', selectVersioned(id, asked, true)]);
          const row = (locked?.rows as VersionedRow[] | undefined)?.[0];
          if (!row) {
            known.forget(id);
            await run(db, client, 'ROLLBACK');
            return { ok: false, refusal: { reason: 'unknown_request' } };
          }
          const current = known.read(id, row, asked);
          const result = change(current);
          if (!result.ok) {
            await run(db, client, 'ROLLBACK');
            return { ok: false, refusal: result.refusal };
          }
          if (result.request.id !== id) throw idChanged(id, result.request.id);
          const next = deepFreeze(result.request);
          const writes = changes(current, next);
          if (writes.length === 0) {
            await run(db, client, 'COMMIT');
            known.remember(id, row.version, next);
            return { ok: true, request: next };
          }
          const written = await script(db, client, [...writes, selectVersion(id), 'COMMIT']);
          const version = (written.at(-2)?.rows[0] as { version?: string } | undefined)?.version;
          if (version) known.remember(id, version, next);
          else known.forget(id);
          return { ok: true, request: next };
        } catch (error) {
          known.forget(id);
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
      return known.track(id, work);
    },

    async remove(id) {
      open();
      known.forget(id);
      await query('DELETE FROM requests WHERE id = $1', [id]);
    },

    async listOpen() {
      open();
      return select('WHERE NOT r.closed ORDER BY r.created_at, r.id', []);
    },

    async recent({ limit, requesterId }) {
      open();
      if (limit <= 0) return [];
      return requesterId === undefined
        ? select('ORDER BY r.created_at DESC, r.id DESC LIMIT $1', [limit])
        : select('WHERE r.requester_id = $2 ORDER BY r.created_at DESC, r.id DESC LIMIT $1', [
            limit,
            requesterId,
          ]);
    },

    async recentConcerning({ keys, limit }) {
      open();
      if (limit <= 0 || keys.length === 0) return [];
      return select(
        `WHERE r.id IN (${RECENT_CONCERNING_IDS}) ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
        [[...keys], limit],
      );
    },

    async children(parentId) {
      open();
      return select('WHERE r.parent_id = $1 ORDER BY r.created_at, r.id', [parentId]);
    },

    async acquireLease(id, owner, until, now) {
      open();
      const result = await query(
        {
          name: 'akb_acquire_lease',
          text: `UPDATE requests SET lease_owner = $2, lease_until = $3 WHERE id = $1
            AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until <= $4)`,
        },
        [id, owner, until.toISOString(), now.toISOString()],
      );
      return result.rowCount === 1;
    },

    async releaseLease(id, owner) {
      open();
      await query(
        {
          name: 'akb_release_lease',
          text: `UPDATE requests SET lease_owner = NULL, lease_until = NULL
            WHERE id = $1 AND lease_owner = $2`,
        },
        [id, owner],
      );
    },

    async archiveFinished(before, record) {
      open();
      // Rows another sweep holds are skipped: each request is archived by one replica. They stay
      // locked while `record` runs and go in the same transaction; if `record` throws, nothing does.
      return inTransaction(db, async (client) => {
        const due = await select(
          'WHERE r.closed AND r.ended_at < $1 ORDER BY r.ended_at, r.id FOR UPDATE OF r SKIP LOCKED',
          [before.toISOString()],
          client,
        );
        if (due.length === 0) return [];
        await record(due);
        for (const request of due) known.forget(request.id);
        await query('DELETE FROM requests WHERE id = ANY($1)', [due.map((r) => r.id)], client);
        return due;
      });
    },

    async ping() {
      if (closed) return false;
      const check = query<{ writable: boolean }>(
        "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable",
      ).then(
        (result) => result.rows[0]?.writable === true,
        () => false,
      );
      // A server that does not answer must not hold the health check: false after the bound.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), db.pingTimeoutMs);
        timer.unref();
      });
      try {
        return await Promise.race([check, late]);
      } finally {
        clearTimeout(timer);
      }
    },

    // A resolved write is committed: there is nothing to wait for.
    async flush() {},

    async close() {
      if (closed) return;
      closed = true;
      await db.release();
    },

    stats: () => ({
      connections: db.pool.totalCount,
      idle: db.pool.idleCount,
      waiting: db.pool.waitingCount,
    }),
  };
}
