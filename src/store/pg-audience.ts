import { audienceOf } from '../domain/audience.js';
import type { MutationRequest } from '../domain/request.js';
import { sql } from './pg-connection.js';

// `request_audience`: one row per audience key of a request (domain/audience.ts), ordered by
// creation time. `history` reads the newest rows of each key the reader holds (an index scan of
// at most `limit` rows per key), so its cost follows the page it shows, not the table's size.

/** Migration 2: the table, its indexes, and the keys of every request already stored. */
export const AUDIENCE_MIGRATION = `
CREATE TABLE IF NOT EXISTS request_audience (
  key text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  request_id text COLLATE "C" NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  PRIMARY KEY (key, created_at, request_id)
);
CREATE INDEX IF NOT EXISTS request_audience_by_request ON request_audience (request_id);
INSERT INTO request_audience (key, created_at, request_id)
SELECT DISTINCT k.key, r.created_at, r.id FROM requests r CROSS JOIN LATERAL (
  SELECT 'channel:' || (r.data->>'channelId') AS key
  UNION ALL SELECT 'user:' || r.requester_id
  UNION ALL SELECT 'user:' || (r.data->'decision'->>'by')
  UNION ALL SELECT 'user:' || (a->>'by')
    FROM jsonb_array_elements(coalesce(r.data->'approval'->'approvals', '[]')) a
  UNION ALL SELECT CASE WHEN v ~ '^S[A-Z0-9]+$' THEN 'group:' ELSE 'user:' END || v
    FROM jsonb_array_elements(coalesce(r.data->'approval'->'rules', '[]')) rule,
      jsonb_array_elements_text(coalesce(rule->'approvers', '[]')) v
  UNION ALL SELECT 'approvers:default' WHERE NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements(coalesce(r.data->'approval'->'rules', '[]')) rule
    WHERE jsonb_array_length(coalesce(rule->'approvers', '[]')) > 0)
) k WHERE k.key IS NOT NULL
ON CONFLICT DO NOTHING;
`;

/**
 * Inserts a request's header ($1–$9) and its audience ($10) in one statement; no row when the id,
 * or a blocking follow-up, exists (ON CONFLICT without a target covers the primary key and the
 * one-follow-up index alike).
 */
export const INSERT_WITH_AUDIENCE = {
  name: 'akb_insert_request_audience_preview',
  text: `WITH header AS (
    INSERT INTO requests
      (id, kind, parent_id, status, requester_id, created_at, closed, ended_at, data, preview)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11) ON CONFLICT DO NOTHING
      RETURNING id, created_at)
    INSERT INTO request_audience (key, created_at, request_id)
      SELECT k, header.created_at, header.id FROM header, unnest($10::text[]) AS k`,
};

/** The audience rows to add and drop when an update changes who a request concerns. */
export function audienceChanges(current: MutationRequest, next: MutationRequest): string[] {
  const before = audienceOf(current);
  const after = audienceOf(next);
  if (before.length === after.length && before.every((key, i) => key === after[i])) return [];
  const keys = JSON.stringify(after);
  return [
    sql`DELETE FROM request_audience WHERE request_id = ${next.id}
      AND key NOT IN (SELECT jsonb_array_elements_text(${keys}::jsonb))`,
    sql`INSERT INTO request_audience (key, created_at, request_id)
      SELECT k, ${next.createdAt}::timestamptz, ${next.id} FROM jsonb_array_elements_text(${keys}::jsonb) AS k
      ON CONFLICT DO NOTHING`,
  ];
}

/**
 * The ids of the newest `$2` requests holding one of the keys `$1`: the newest `$2` rows of each
 * key (an index scan each), merged.
 */
export const RECENT_CONCERNING_IDS = `SELECT DISTINCT a.request_id FROM unnest($1::text[]) AS k(key)
  CROSS JOIN LATERAL (
    SELECT request_id FROM request_audience WHERE key = k.key
    ORDER BY created_at DESC, request_id DESC LIMIT $2) a`;
