import type { MutationRequest } from '../domain/request.js';
import type { AuditEvent, AuditLog } from '../service/ports.js';
import { type PgDatabase, run } from './pg-connection.js';
import { StoreError } from './store-error.js';

// The audit trail in the request store's database: one row per event in `audit_events`. The bot
// only inserts and selects; the README shows how to grant it no more, so even a compromised bot
// cannot rewrite the trail. Appends go out one INSERT at a time, in the order they were made;
// those made while one is being written share the next INSERT (one commit for all of them), as
// the file trail coalesces its lines.

type Pending = { event: AuditEvent; text: string; resolve(): void; reject(error: unknown): void };

const APPEND = {
  name: 'akb_append_events',
  text: `INSERT INTO audit_events (request_id, type, at, event)
    SELECT e.request_id, e.type, coalesce(e.at, now()), e.event
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])
      WITH ORDINALITY AS e(request_id, type, at, event, n)
    ORDER BY e.n`,
};

export function createPgAuditLog(db: PgDatabase): AuditLog {
  let closed = false;
  let queued: Pending[] = [];
  let draining: Promise<void> | undefined;

  async function drain(): Promise<void> {
    await Promise.resolve();
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await run(db, db.pool, APPEND, [
          batch.map((p) => p.event.requestId),
          batch.map((p) => p.event.type),
          batch.map((p) => (Number.isNaN(Date.parse(p.event.at)) ? null : p.event.at)),
          batch.map((p) => p.text),
        ]);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    draining = undefined;
  }

  return {
    append(event) {
      if (closed) {
        return Promise.reject(
          new StoreError('store_closed', `The audit trail ${db.where} is closed.`),
        );
      }
      // Serialised now, so a later change to the caller's object cannot alter what is recorded.
      let text: string;
      try {
        text = JSON.stringify(event);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        queued.push({ event, text, resolve, reject });
        draining ??= drain();
      });
    },

    async eventsFor(requestId) {
      const result = await run<{ event: AuditEvent }>(
        db,
        db.pool,
        'SELECT event FROM audit_events WHERE request_id = $1 ORDER BY seq',
        [requestId],
      );
      return result.rows.map((row) => row.event);
    },

    async lastSnapshot(requestId) {
      const result = await run<{ request: MutationRequest | null }>(
        db,
        db.pool,
        `SELECT event->'request' AS request FROM audit_events
          WHERE request_id = $1 AND type = 'archived' ORDER BY seq DESC LIMIT 1`,
        [requestId],
      );
      const request = result.rows[0]?.request;
      return request && request.id === requestId ? request : undefined;
    },

    async close() {
      if (closed) return;
      closed = true;
      while (draining) await draining;
      await db.release();
    },
  };
}
