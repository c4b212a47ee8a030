import { audienceOf } from '../domain/audience.js';
import { isClosed, type MutationRequest, type Step } from '../domain/request.js';
import { audienceChanges } from './pg-audience.js';
import { sql } from './pg-connection.js';
import { deepFreeze, endedAt } from './records.js';

// How a request maps to rows: a header row in `requests` (the columns that listing, retention,
// the follow-up rule and leases need, and everything but the steps as jsonb) and one row per step
// in `request_steps`; and which statements write what an update changed.

/** A request's steps as one JSON array, for a query over `requests r`. */
export const STEPS_JSON = `coalesce(
  (SELECT json_agg(s.data ORDER BY s.idx) FROM request_steps s WHERE s.request_id = r.id),
  '[]'::json)`;

export const SELECT_REQUEST = `SELECT r.data, ${STEPS_JSON} AS steps FROM requests r`;

export type Row = { data: Omit<MutationRequest, 'steps'>; steps: Step[] };

export function toRequest(row: Row): MutationRequest {
  return deepFreeze({ ...row.data, steps: row.steps } as MutationRequest);
}

export interface HeaderColumns {
  id: string;
  kind: string;
  parent_id: string | null;
  status: string;
  requester_id: string;
  created_at: string;
  closed: boolean;
  ended_at: string | null;
  /** JSON of the request without its steps. */
  data: string;
}

export function headerColumns(request: MutationRequest): HeaderColumns {
  const { steps: _steps, ...data } = request;
  const closed = isClosed(request);
  const ended = endedAt(request);
  return {
    id: request.id,
    kind: request.kind,
    parent_id: request.parentId ?? null,
    status: request.status,
    requester_id: request.requesterId,
    created_at: request.createdAt,
    closed,
    ended_at: closed && Number.isFinite(ended) ? new Date(ended).toISOString() : null,
    data: JSON.stringify(data),
  };
}

/** The header columns in the order of INSERT_WITH_AUDIENCE, then the audience keys. */
export function headerValues(request: MutationRequest): unknown[] {
  const h = headerColumns(request);
  return [
    h.id,
    h.kind,
    h.parent_id,
    h.status,
    h.requester_id,
    h.created_at,
    h.closed,
    h.ended_at,
    h.data,
    audienceOf(request),
  ];
}

/** Writes these steps (index, step) of a request, inserting or replacing their rows. */
export function upsertSteps(id: string, steps: ReadonlyArray<readonly [number, Step]>): string {
  return sql`INSERT INTO request_steps (request_id, idx, data)
    SELECT ${id}, (e->>0)::integer, e->1 FROM jsonb_array_elements(${JSON.stringify(steps)}::jsonb) AS e
    ON CONFLICT (request_id, idx) DO UPDATE SET data = EXCLUDED.data`;
}

/**
 * The statements that write what changed from `current` to `next`: values are rebuilt with
 * spreads, so a top-level field or a step with the same identity is unchanged and not written.
 */
export function changes(current: MutationRequest, next: MutationRequest): string[] {
  const statements: string[] = [];
  if (headerChanged(current, next)) {
    const h = headerColumns(next);
    statements.push(sql`UPDATE requests SET kind = ${h.kind}, parent_id = ${h.parent_id},
      status = ${h.status}, requester_id = ${h.requester_id}, created_at = ${h.created_at},
      closed = ${h.closed}, ended_at = ${h.ended_at}, data = ${h.data}::jsonb WHERE id = ${h.id}`);
    statements.push(...audienceChanges(current, next));
  }
  if (next.steps !== current.steps) {
    const changed: Array<[number, Step]> = [];
    next.steps.forEach((step, idx) => {
      if (step !== current.steps[idx]) changed.push([idx, step]);
    });
    if (changed.length > 0) statements.push(upsertSteps(next.id, changed));
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
