import { audienceOf } from '../domain/audience.js';
import { isClosed } from '../domain/lifecycle.js';
import type { MutationRequest, Step } from '../domain/request.js';
import { partJson } from './live-file.js';
import { audienceChanges } from './pg-audience.js';
import { literal, sql } from './pg-connection.js';
import { deepFreeze, endedAt } from './records.js';

// How a request maps to rows: a header row in `requests` (the columns that listing, retention,
// the follow-up rule and leases need, and everything but the steps as jsonb) and one row per step
// in `request_steps`; and which statements write what an update changed.

/** A request's steps as one JSON array, for a query over `requests r`. */
export const STEPS_JSON = `coalesce(
  (SELECT json_agg(s.data ORDER BY s.idx) FROM request_steps s WHERE s.request_id = r.id),
  '[]'::json)`;

/**
 * The request without its steps, for a query over `requests r`. The preview has a column of its
 * own (pg-schema.ts EXPANSIONS); while replicas of the previous version may run, it is written
 * to both places and `data` is what counts. A row whose `data` lacks it (the form a later version
 * writes once the contract step ran) gets it from the column.
 */
export const REQUEST_DATA = `CASE WHEN r.preview IS NULL OR r.data ? 'preview' THEN r.data
  ELSE r.data || jsonb_build_object('preview', r.preview) END`;

export const SELECT_REQUEST = `SELECT ${REQUEST_DATA} AS data, ${STEPS_JSON} AS steps FROM requests r`;

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
  /** JSON of the request without its steps (the preview too, for the previous version). */
  data: string;
  /** JSON of the preview, in its own column; null without one. */
  preview: string | null;
}

export function headerColumns(request: MutationRequest): HeaderColumns {
  const { steps: _steps, ...data } = request;
  return {
    ...listedColumns(request),
    data: JSON.stringify(data),
    preview: request.preview ? JSON.stringify(request.preview) : null,
  };
}

/** The columns listing, retention, the follow-up rule and leases read. */
function listedColumns(request: MutationRequest): Omit<HeaderColumns, 'data' | 'preview'> {
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
    h.preview,
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
  const patch = headerPatch(current, next);
  if (patch) {
    const { kind, parent_id, status, requester_id, created_at, closed, ended_at, id } =
      listedColumns(next);
    // The fields that changed, merged into `data` by the server: a status change sends and
    // parses a few bytes, not the header with its preview and instance list.
    const unset = patch.unset.map((key) => ` - ${literal(key)}::text`).join('');
    const preview = patch.preview === undefined ? '' : sql`, preview = ${patch.preview}::jsonb`;
    statements.push(
      sql`UPDATE requests SET kind = ${kind}, parent_id = ${parent_id},
      status = ${status}, requester_id = ${requester_id}, created_at = ${created_at},
      closed = ${closed}, ended_at = ${ended_at}, data = (data || ${patch.set}::jsonb)` +
        `${unset}${preview}${sql` WHERE id = ${id}`}`,
    );
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

/**
 * The top-level fields other than the steps that are not the same value (primitive) or object:
 * `set` as a JSON object, `unset` the keys gone; `preview` its JSON when it changed (null: gone).
 */
function headerPatch(
  current: MutationRequest,
  next: MutationRequest,
): { set: string; unset: string[]; preview?: string | null } | undefined {
  const a = current as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  const set: string[] = [];
  const unset: string[] = [];
  let preview: string | null | undefined;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'steps' || a[key] === b[key]) continue;
    const text = b[key] === undefined ? undefined : partJson(b[key]);
    if (text === undefined) unset.push(key);
    else set.push(`${JSON.stringify(key)}:${text}`);
    if (key === 'preview') preview = text ?? null;
  }
  if (!set.length && !unset.length) return undefined;
  return { set: `{${set.join(',')}}`, unset, ...(preview !== undefined ? { preview } : {}) };
}
