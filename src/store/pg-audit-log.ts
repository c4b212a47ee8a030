import type { MutationRequest } from '../domain/request.js';
import type { AuditEvent, AuditLog } from '../service/ports.js';
import { type PgDatabase, run } from './pg-connection.js';
import { StoreError } from './store-error.js';

// The audit trail in the request store's database: one row per event in `audit_events`. The bot
// only inserts and selects; the README shows how to grant it no more, so even a compromised bot
// cannot rewrite the trail.

export function createPgAuditLog(db: PgDatabase): AuditLog {
  let closed = false;
  return {
    async append(event) {
      if (closed) throw new StoreError('store_closed', `The audit trail ${db.where} is closed.`);
      // Serialised now, so a later change to the caller's object cannot alter what is recorded.
      const text = JSON.stringify(event);
      const at = Number.isNaN(Date.parse(event.at)) ? null : event.at;
      await run(
        db,
        db.pool,
        {
          name: 'akb_append_event',
          text: `INSERT INTO audit_events (request_id, type, at, event)
            VALUES ($1, $2, coalesce($3::timestamptz, now()), $4::jsonb)`,
        },
        [event.requestId, event.type, at, text],
      );
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
      await db.release();
    },
  };
}
