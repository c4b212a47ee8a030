import { writeFile } from 'node:fs/promises';
import { audienceOf } from '../src/domain/audience.js';
import { clientTokenFor } from '../src/domain/batches.js';
import type { MutationRequest } from '../src/domain/request.js';
import { requestJson } from '../src/store/live-file.js';
import { headerColumns } from '../src/store/pg-rows.js';
import { instanceIds } from './load.js';

// The store benchmark's data: N finished requests as they look after a normal approval (2
// instances, one done AttachKeyPair step with outcomes, results posted), and a few live ones the
// timed writes change. Written straight into the files or tables the stores read.

export const LIVE_REQUESTS = 10;
const DAY = 86_400_000;

export const finishedId = (i: number) => `ak-${i.toString(36).padStart(8, '0')}`;

export function finishedRequest(i: number, count: number): MutationRequest {
  const id = finishedId(i);
  const created = Date.now() - 25 * DAY + i * ((25 * DAY) / Math.max(1, count));
  const iso = (offsetMs: number) => new Date(created + offsetMs).toISOString();
  const ids = instanceIds(2, 20);
  return {
    id,
    kind: 'attach',
    status: 'done',
    requesterId: `U0REQ${String(i % 50).padStart(5, '0')}`,
    channelId: 'C0OPS00001',
    region: 'cn-beijing',
    instanceIds: ids,
    keyPairName: 'ops-deploy-key',
    fingerprint: '1a2b-3c4d-5e6f',
    createdAt: iso(0),
    expiresAt: iso(3_600_000),
    card: {
      channel: 'C0OPS00001',
      ts: `${Math.floor(created / 1000)}.${String(i % 1e6).padStart(6, '0')}`,
    },
    approval: { required: 1, rules: [], approvals: [{ by: 'U0APP00001', at: iso(60_000) }] },
    decision: { kind: 'approved', by: 'U0APP00001', at: iso(60_000) },
    steps: [
      {
        index: 0,
        phase: 0,
        action: 'AttachKeyPair',
        instanceIds: ids,
        keyPairName: 'ops-deploy-key',
        clientToken: clientTokenFor(id, 0),
        state: 'done',
        sendCount: 1,
        sentAt: iso(60_100),
        finishedAt: iso(60_400),
        apiRequestId: `20250101${String(i).padStart(12, '0')}abcdef0123456789`,
        outcomes: ids.map((instanceId) => ({ instanceId, ok: true as const })),
      },
    ],
    resultsPostedAt: iso(60_600),
    finishedAt: iso(60_500),
  };
}

export function liveRequest(i: number): MutationRequest {
  const now = Date.now();
  return {
    ...finishedRequest(i, 1),
    id: `live-${i}`,
    status: 'pending',
    createdAt: new Date(now - i * 1000).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
    approval: { required: 2, rules: [], approvals: [] },
    decision: undefined,
    steps: [],
    resultsPostedAt: undefined,
    finishedAt: undefined,
  };
}

/** DATA_FILE with the live requests and its history file with `count` finished ones. */
export async function writeLowdbFiles(dataFile: string, historyFile: string, count: number) {
  const live = Array.from({ length: LIVE_REQUESTS }, (_, i) => liveRequest(i));
  await writeFile(
    dataFile,
    JSON.stringify({ version: 2, requests: Object.fromEntries(live.map((r) => [r.id, r])) }),
  );
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${requestJson(finishedRequest(i, count))}\n`);
  await writeFile(historyFile, lines.join(''));
}

/** The rows the PostgreSQL store writes for these requests, as JSON for jsonb_to_recordset. */
export function pgRows(requests: readonly MutationRequest[]): {
  headers: string;
  steps: string;
  audience: string;
} {
  const headers = requests.map((r) => {
    const columns = headerColumns(r);
    return { ...columns, data: JSON.parse(columns.data) as unknown };
  });
  const steps = requests.flatMap((r) =>
    r.steps.map((data, idx) => ({ request_id: r.id, idx, data })),
  );
  const audience = requests.flatMap((r) =>
    audienceOf(r).map((key) => ({ key, created_at: r.createdAt, request_id: r.id })),
  );
  return {
    headers: JSON.stringify(headers),
    steps: JSON.stringify(steps),
    audience: JSON.stringify(audience),
  };
}

export const SEED_HEADERS = `INSERT INTO requests
  (id, kind, parent_id, status, requester_id, created_at, closed, ended_at, data)
  SELECT id, kind, parent_id, status, requester_id, created_at, closed, ended_at, data
  FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, parent_id text, status text,
    requester_id text, created_at timestamptz, closed boolean, ended_at timestamptz, data jsonb)`;

export const SEED_STEPS = `INSERT INTO request_steps (request_id, idx, data)
  SELECT request_id, idx, data FROM jsonb_to_recordset($1::jsonb)
  AS x(request_id text, idx integer, data jsonb)`;

/** Who each request concerns (`history` reads these): as the store's insert writes them. */
export const SEED_AUDIENCE = `INSERT INTO request_audience (key, created_at, request_id)
  SELECT key, created_at, request_id FROM jsonb_to_recordset($1::jsonb)
  AS x(key text, created_at timestamptz, request_id text)`;
