import type pg from 'pg';
import { isClosed, type MutationRequest, type Step } from '../domain/request.js';
import {
  CHILD_BLOCKING_STATUSES,
  type ChangeResult,
  type InsertResult,
  type RequestStore,
  type UpdateResult,
} from '../service/ports.js';
import { inTransaction, type PgDatabase, run, script, sql, withClient } from './pg-connection.js';
import { deepFreeze, endedAt } from './records.js';
import { idChanged, StoreError } from './store-error.js';

// RequestStore on PostgreSQL, safe for several replicas. A request is a header row (`requests`:
// the listing columns, the lease, and everything but the steps as jsonb) and one row per step
// (`request_steps`). `update` locks the header row (SELECT … FOR UPDATE), runs `change`, and
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

const SELECT_REQUEST = `SELECT r.data, coalesce(
  (SELECT json_agg(s.data ORDER BY s.idx) FROM request_steps s WHERE s.request_id = r.id),
  '[]'::json) AS steps FROM requests r`;

// ON CONFLICT without a target covers the primary key and the one-follow-up index alike.
const INSERT_REQUEST = {
  name: 'akb_insert_request',
  text: `INSERT INTO requests
    (id, kind, parent_id, status, requester_id, created_at, closed, ended_at, data)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
};

type Row = { data: Omit<MutationRequest, 'steps'>; steps: Step[] };

const BLOCKING = [...CHILD_BLOCKING_STATUSES];

export function createPgStore(db: PgDatabase): PgRequestStore {
  let closed = false;
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

  async function insertOnce(request: MutationRequest): Promise<InsertResult | undefined> {
    const insertHeader = async (client?: pg.PoolClient) =>
      (await query(INSERT_REQUEST, headerValues(request), client)).rowCount === 1;
    // Steps (rare at insert) go in the same transaction as their header.
    const inserted =
      request.steps.length === 0
        ? await insertHeader()
        : await inTransaction(db, async (client) => {
            if (!(await insertHeader(client))) return false;
            await writeSteps(
              client,
              request.id,
              request.steps.map((step, idx) => [idx, step]),
            );
            return true;
          });
    if (inserted) return { ok: true };
    // Which unique rule refused it; a blocking follow-up may have gone meanwhile: try again.
    const [same] = (await query('SELECT 1 FROM requests WHERE id = $1', [request.id])).rows;
    if (same) return { ok: false, reason: 'duplicate_id' };
    const existing = request.parentId !== undefined ? await existingChild(request) : undefined;
    return existing ? { ok: false, reason: 'child_exists', existing } : undefined;
  }

  async function writeSteps(
    client: pg.PoolClient,
    id: string,
    steps: Array<[number, Step]>,
  ): Promise<void> {
    await query(
      {
        name: 'akb_write_steps',
        text: `INSERT INTO request_steps (request_id, idx, data)
          SELECT $1, (e->>0)::integer, e->1 FROM jsonb_array_elements($2::jsonb) AS e
          ON CONFLICT (request_id, idx) DO UPDATE SET data = EXCLUDED.data`,
      },
      [id, JSON.stringify(steps)],
      client,
    );
  }

  return {
    async get(id) {
      open();
      const [request] = await select('WHERE r.id = $1', [id]);
      return request;
    },

    async insert(request) {
      open();
      const copy = deepFreeze(structuredClone(request));
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = await insertOnce(copy);
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
      // is the check-and-set: no other change to this request interleaves.
      return withClient(db, async (client): Promise<UpdateResult<R>> => {
        try {
          const [, locked] = await script(db, client, [
            'BEGIN',
            `${SELECT_REQUEST} ${sql`WHERE r.id = ${id} FOR UPDATE OF r`}`,
          ]);
          const current = (locked?.rows as Row[] | undefined)?.map(toRequest)[0];
          if (!current) {
            await run(db, client, 'ROLLBACK');
            return { ok: false, refusal: { reason: 'unknown_request' } };
          }
          const result = change(current);
          if (!result.ok) {
            await run(db, client, 'ROLLBACK');
            return { ok: false, refusal: result.refusal };
          }
          if (result.request.id !== id) throw idChanged(id, result.request.id);
          const next = deepFreeze(result.request);
          await script(db, client, [...changes(current, next), 'COMMIT']);
          return { ok: true, request: next };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },

    async remove(id) {
      open();
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

function toRequest(row: Row): MutationRequest {
  return deepFreeze({ ...row.data, steps: row.steps } as MutationRequest);
}

/** The columns of the header row, in the order of the INSERT and UPDATE statements. */
function headerValues(request: MutationRequest): unknown[] {
  const { steps: _steps, ...data } = request;
  const closed = isClosed(request);
  const ended = endedAt(request);
  return [
    request.id,
    request.kind,
    request.parentId ?? null,
    request.status,
    request.requesterId,
    request.createdAt,
    closed,
    closed && Number.isFinite(ended) ? new Date(ended).toISOString() : null,
    JSON.stringify(data),
  ];
}

/**
 * The statements that write what changed from `current` to `next`: values are rebuilt with
 * spreads, so a top-level field or a step with the same identity is unchanged.
 */
function changes(current: MutationRequest, next: MutationRequest): string[] {
  const statements: string[] = [];
  if (headerChanged(current, next)) {
    const [id, kind, parentId, status, requesterId, createdAt, closed, endedAtIso, data] =
      headerValues(next);
    statements.push(sql`UPDATE requests SET kind = ${kind}, parent_id = ${parentId},
      status = ${status}, requester_id = ${requesterId}, created_at = ${createdAt},
      closed = ${closed}, ended_at = ${endedAtIso}, data = ${data}::jsonb WHERE id = ${id}`);
  }
  if (next.steps !== current.steps) {
    const changed: Array<[number, Step]> = [];
    next.steps.forEach((step, idx) => {
      if (step !== current.steps[idx]) changed.push([idx, step]);
    });
    if (changed.length > 0) {
      statements.push(sql`INSERT INTO request_steps (request_id, idx, data)
        SELECT ${next.id}, (e->>0)::integer, e->1 FROM jsonb_array_elements(${JSON.stringify(changed)}::jsonb) AS e
        ON CONFLICT (request_id, idx) DO UPDATE SET data = EXCLUDED.data`);
    }
    if (next.steps.length < current.steps.length) {
      statements.push(
        sql`DELETE FROM request_steps WHERE request_id = ${next.id} AND idx >= ${next.steps.length}`,
      );
    }
  }
  return statements;
}

/** A top-level field other than the steps is not the same value (primitive) or object. */
function headerChanged(current: MutationRequest, next: MutationRequest): boolean {
  const a = current as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key !== 'steps' && a[key] !== b[key]) return true;
  }
  return false;
}
