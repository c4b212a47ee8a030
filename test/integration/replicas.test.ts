import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buttonValue,
  eventually,
  messageText,
  SIGNING_SECRET,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import {
  type ChildBot,
  childBotEnv,
  killLeftoverChildBots,
  startChildBot,
} from '../support/child-bot.js';
import { type FakeEcsApi, startFakeEcsApi } from '../support/fake-ecs-api.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { createMigratedDatabase, findPgServer, type TestDatabase } from '../support/pg.js';
import { buttonClick, slackSender } from '../support/slack-requests.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// Issue 14: two bot processes on one PostgreSQL database behave as one bot. A race split across
// them decides once, a replica killed mid-batch is taken over (same ClientToken, one application
// per instance, one results thread), expiry fires once, and the database going away pauses the
// bots instead of crashing them.

const server = await findPgServer();
const WAIT = 15_000;
const SLOW = { timeout: 40_000 };

let database: TestDatabase;
let proxy: TcpProxy;
let slack: FakeSlackApi;
let ecs: FakeEcsApi;
let dir: string;

beforeAll(async () => {
  if (!server.available) return;
  database = await createMigratedDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await proxy?.close();
  await database?.drop();
});
beforeEach(async () => {
  if (!server.available) return;
  slack = await startFakeSlackApi();
  ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS });
  dir = await mkdtemp(join(tmpdir(), 'akb-replicas-'));
});
afterEach(async () => {
  await killLeftoverChildBots();
  await slack?.close();
  await ecs?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (proxy) await proxy.up();
});

/** The database through the proxy, so a test can take it away. */
function databaseUrl(): string {
  const url = new URL(database.url);
  url.port = String(proxy.port);
  return url.href;
}

function replica(name: string, extra: Record<string, string> = {}): ChildBot {
  return startChildBot({
    cwd: dir,
    env: childBotEnv({
      slackApiUrl: slack.apiUrl,
      ecsUrl: ecs.url,
      dataFile: join(dir, `${name}.json`), // unused with DATABASE_URL
      extra: { DATABASE_URL: databaseUrl(), EXECUTION_LEASE_SECONDS: '5', ...extra },
    }),
  });
}

const sender = (port: number) =>
  slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
const cards = () =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => !c.params.thread_ts && buttonValue(c, 'approve_request'));
const summaries = (pattern: RegExp) =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => c.params.thread_ts && pattern.test(messageText(c)));

async function submit(port: number, text: string): Promise<{ requestId: string }> {
  const before = cards().length;
  const reply = await sender(port).command({
    text,
    user_id: 'UREQ',
    channel_id: 'C0OPS',
    response_url: slack.responseUrl('command'),
  });
  expect(reply.status).toBe(200);
  const card = await slack.waitFor(() => cards()[before], 'the card', WAIT);
  return { requestId: buttonValue(card, 'approve_request') as string };
}

function click(port: number, requestId: string, user: string, replyId: string) {
  return sender(port).interaction(
    buttonClick({
      actionId: 'approve_request',
      value: requestId,
      userId: user,
      channelId: 'C0OPS',
      messageTs: '1.0',
      responseUrl: slack.responseUrl(replyId),
    }),
  );
}

describe.skipIf(!server.available)('two replicas on one PostgreSQL database', () => {
  it('decide once under 20 clicks split across both, and run once', SLOW, async () => {
    const approvers = Array.from(
      { length: 20 },
      (_, i) => `UAPP${String(i).padStart(2, '0')}`,
    ).join(',');
    const a = replica('a', { APPROVER_USER_IDS: approvers });
    const b = replica('b', { APPROVER_USER_IDS: approvers });
    const [portA, portB] = await Promise.all([a.started, b.started]);
    const { requestId } = await submit(portA, 'i-race00001 i-race00002 key=ops-key');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        click(i % 2 ? portB : portA, requestId, `UAPP${String(i).padStart(2, '0')}`, `race-${i}`),
      ),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await slack.waitFor(() => summaries(/2 succeeded/).length > 0, 'the results summary', WAIT);
    await eventually(
      async () => slack.responses.filter((r) => r.id.startsWith('race-')).length === 19,
      '19 refusals',
      WAIT,
    );
    const refusals = slack.responses
      .filter((r) => r.id.startsWith('race-'))
      .map((r) => String(r.body.text));
    expect(refusals.every((t) => t.includes('already approved'))).toBe(true);
    expect(ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    const approvedLines = [...a.lines, ...b.lines].filter((l) => l.event === 'request approved');
    expect(approvedLines).toHaveLength(1);
  });

  it(
    'takes over a batch from a replica killed mid-call: same ClientToken, one thread',
    SLOW,
    async () => {
      const ids = Array.from({ length: 150 }, (_, i) => `i-take${String(i).padStart(5, '0')}`);
      const held = ecs.hold({ apply: true, action: 'AttachKeyPair' });
      const a = replica('a', { VOLC_MAX_CONCURRENCY: '1' });
      const portA = await a.started;
      const { requestId } = await submit(portA, `${ids.join(' ')} key=ops-key`);
      await click(portA, requestId, 'UAPP1', 'approve');
      const first = await held.arrived;
      a.kill('SIGKILL');
      await a.exited;

      const b = replica('b', { VOLC_MAX_CONCURRENCY: '1' });
      await b.started;
      // The lease (5 s) lapses, B's takeover scan claims the request and resends.
      await b.waitForLog((l) => l.event === 'execution resumed' && l.requestId === requestId, WAIT);
      await b.waitForLog((l) => l.event === 'request done' && l.requestId === requestId, WAIT);
      const tokens = ecs.callsFor('AttachKeyPair').map((c) => c.clientToken);
      expect(tokens[0]).toBe(first.clientToken);
      expect(tokens[1]).toBe(first.clientToken);
      expect(new Set(tokens).size).toBe(2);
      expect(ids.filter((id) => ecs.timesApplied(id) !== 1)).toEqual([]);
      await slack.waitFor(() => summaries(/150 succeeded/).length > 0, 'the results summary', WAIT);
      expect(summaries(/150 succeeded/)).toHaveLength(1);
    },
  );

  it('expires a pending request once although both replicas sweep', SLOW, async () => {
    const a = replica('a', { REQUEST_TTL_MINUTES: '0.01' });
    const b = replica('b', { REQUEST_TTL_MINUTES: '0.01' });
    const [portA] = await Promise.all([a.started, b.started]);
    const { requestId } = await submit(portA, 'i-exp000001 key=ops-key');
    // This request's DMs only: an earlier case's request in the same database may still be
    // finishing and tell the same requester about its results.
    const expiryNotes = () =>
      slack
        .callsTo('chat.postMessage')
        .filter((c) => c.params.channel === 'UREQ' && String(c.params.text).includes(requestId));
    await eventually(
      async () =>
        [...a.lines, ...b.lines].some(
          (l) => l.event === 'request expired' && l.requestId === requestId,
        ),
      'the expiry',
      WAIT,
    );
    await eventually(async () => expiryNotes().length > 0, 'the DM', WAIT);
    // A second expiry would be an absence of nothing to await: give both replicas' sweeps (every
    // 200 ms at this TTL) a few more rounds to fire wrongly before counting.
    await new Promise((r) => setTimeout(r, 600));
    const expiries = [...a.lines, ...b.lines].filter(
      (l) => l.event === 'request expired' && l.requestId === requestId,
    );
    expect(expiries).toHaveLength(1);
    expect(expiryNotes()).toHaveLength(1);
  });

  it(
    'answers 503 and "storage unavailable" while the database is down, then carries on',
    SLOW,
    async () => {
      const a = replica('a');
      const port = await a.started;
      await proxy.down();
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(503);
      const reply = await sender(port).command({
        text: 'i-down00001 key=ops-key',
        user_id: 'UREQ',
        channel_id: 'C0OPS',
        response_url: slack.responseUrl('down'),
      });
      expect(reply.status).toBe(200);
      const answer = await slack.waitFor(
        () => slack.responses.find((r) => r.id === 'down'),
        'the refusal',
        WAIT,
      );
      expect(String(answer.body.text)).toContain('Storage unavailable');
      expect(String(answer.body.text)).toContain('Nothing was changed');
      expect(cards()).toHaveLength(0);

      await proxy.up();
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200,
        'healthy again',
        WAIT,
      );
      const { requestId } = await submit(port, 'i-down00002 key=ops-key');
      await click(port, requestId, 'UAPP1', 'after');
      await a.waitForLog((l) => l.event === 'request done' && l.requestId === requestId, WAIT);
      expect(a.lines.some((l) => l.level === 'error' && /uncaught|unhandled/.test(l.event))).toBe(
        false,
      );
    },
  );
});
