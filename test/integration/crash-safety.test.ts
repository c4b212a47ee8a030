import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import {
  buttonValue,
  messageText,
  SIGNING_SECRET,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import type { ChildBot } from '../support/child-bot.js';
import {
  type ChildStage,
  closeChildStage,
  openChildStage,
  startStageBot,
  storedRequest as storedRequestIn,
} from '../support/child-stage.js';
import { type FakeEcsApi, startFakeEcsApi } from '../support/fake-ecs-api.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { buttonClick, slackSender } from '../support/slack-requests.js';

// The bot as a real separate process: killed with -9 mid-batch, stopped with SIGTERM/SIGINT,
// started on a broken DATA_FILE or a bad environment, restarted with a pending request. The fakes
// outlive the children, so a second child on the same DATA_FILE talks to the same "Slack" and
// "Volcengine" the first one did.

const WAIT = 10_000;
const TWO_CHILDREN = { timeout: 30_000 };

let slack: FakeSlackApi;
let ecs: FakeEcsApi;
let dir: string;
let dataFile: string;

let stage: ChildStage | undefined;

beforeEach(async () => {
  stage = await openChildStage('child');
  ({ slack, ecs, dir, dataFile } = stage);
});

afterEach(() => closeChildStage(stage));

function start(extra: Record<string, string> = {}): ChildBot {
  return startStageBot(stage as ChildStage, extra);
}

const storedRequest = (requestId: string): MutationRequest => storedRequestIn(dataFile, requestId);

function instanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i-crash${String(i).padStart(4, '0')}`);
}

const cardPosts = () =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => !c.params.thread_ts && buttonValue(c, 'approve_request'));

/** Thread posts carrying the totals line ("N succeeded · …"): only a summary's first part has it. */
const summaryPosts = (ts: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter(
      (c) =>
        c.params.thread_ts === ts && /\d+ succeeded · /.test(JSON.stringify(c.params.blocks ?? [])),
    );

const lastCardText = (ts: string) =>
  messageText(
    slack
      .callsTo('chat.update')
      .filter((c) => c.params.ts === ts)
      .at(-1),
  );

/** `/attach-key …` to the child, then the card it posts and the ts it stored for it. */
async function submit(bot: ChildBot, port: number, ids: string[]) {
  const before = cardPosts().length;
  const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  const reply = await sender.command({
    text: `${ids.join(' ')} key=ops-key`,
    user_id: 'UREQ',
    channel_id: 'C0OPS',
    response_url: slack.responseUrl('command'),
  });
  expect(reply.status).toBe(200);
  const card = await slack.waitFor(() => cardPosts()[before], 'the approval card', WAIT);
  const requestId = buttonValue(card, 'approve_request') as string;
  // Logged after the card's ts is on disk.
  await bot.waitForLog((l) => l.event === 'request submitted' && l.requestId === requestId);
  const stored = storedRequest(requestId);
  expect(stored.status).toBe('pending');
  return { requestId, ts: stored.card?.ts as string, channel: stored.card?.channel as string };
}

async function approve(port: number, request: { requestId: string; ts: string; channel: string }) {
  const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  const reply = await sender.interaction(
    buttonClick({
      actionId: 'approve_request',
      value: request.requestId,
      userId: 'UAPP1',
      channelId: request.channel,
      messageTs: request.ts,
      responseUrl: slack.responseUrl('click'),
    }),
  );
  expect(reply.status).toBe(200);
}

/** Waits for the results summary and the card's final "done" rendering. */
async function waitForDone(ts: string) {
  await slack.waitFor(() => summaryPosts(ts).length > 0, 'the results summary', WAIT);
  await slack.waitFor(
    () => lastCardText(ts).includes('Attach key pair: done'),
    'the card to show done',
    WAIT,
  );
}

async function stopGracefully(bot: ChildBot) {
  bot.kill('SIGTERM');
  expect(await bot.exited).toEqual({ code: 0, signal: null });
}

/** Resolves once nothing listens on the port any more (the receiver has closed). */
function waitUntilRefused(port: number, timeoutMs = WAIT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} still accepts connections`));
        else setTimeout(attempt, 5);
      });
      socket.once('error', () => resolve());
    };
    attempt();
  });
}

describe('kill -9 in the middle of a batch', () => {
  it(
    'resumes with the same ClientToken: one application per batch, one summary',
    TWO_CHILDREN,
    async () => {
      const ids = instanceIds(150);
      // The API applies the first call but the client never hears back.
      const held = ecs.hold({ apply: true, action: 'AttachKeyPair' });
      const a = start({ VOLC_MAX_CONCURRENCY: '1' });
      const portA = await a.started;
      const request = await submit(a, portA, ids);
      await approve(portA, request);
      const heldCall = await held.arrived;
      expect(heldCall.instanceIds).toEqual(ids.slice(0, 100));

      a.kill('SIGKILL');
      expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // The journal on disk: valid JSON, batch 0 sent with the token the API saw, batch 1 and the
      // read-back of each batch planned.
      const crashed = storedRequest(request.requestId);
      expect(crashed.status).toBe('executing');
      expect(crashed.steps.map((b) => [b.action, b.state, b.sendCount])).toEqual([
        ['AttachKeyPair', 'sent', 1],
        ['AttachKeyPair', 'planned', 0],
        ['Verify', 'planned', 0],
        ['Verify', 'planned', 0],
      ]);
      expect(crashed.steps[0]?.clientToken).toBe(heldCall.clientToken);
      expect(crashed.resultsPostedAt).toBeUndefined();
      expect(ecs.applications.size).toBe(1);
      expect(summaryPosts(request.ts)).toHaveLength(0);

      const b = start({ VOLC_MAX_CONCURRENCY: '1' });
      await b.started;
      await b.waitForLog(
        (l) => l.event === 'execution resumed' && l.requestId === request.requestId,
      );
      await waitForDone(request.ts);
      await stopGracefully(b);

      const attaches = ecs.callsFor('AttachKeyPair');
      expect(attaches.every((c) => c.auth.ok)).toBe(true);
      expect(attaches.map((c) => c.clientToken)).toEqual([
        heldCall.clientToken,
        heldCall.clientToken,
        crashed.steps[1]?.clientToken,
      ]);
      expect(attaches[1]?.instanceIds).toEqual(heldCall.instanceIds);
      expect(ecs.applications.size).toBe(2);
      expect(ecs.applications.get(heldCall.clientToken as string)?.replays).toBe(1);
      expect(ids.filter((id) => ecs.timesApplied(id) !== 1)).toEqual([]);

      expect(summaryPosts(request.ts)).toHaveLength(1);
      expect(messageText(summaryPosts(request.ts)[0])).toContain('150 succeeded');
      expect(lastCardText(request.ts)).toContain('Attach key pair: done');
      const done = storedRequest(request.requestId);
      expect(done.status).toBe('done');
      expect(done.resultsPostedAt).toBeDefined();
      expect(done.steps.map((b) => [b.state, b.sendCount])).toEqual([
        ['done', 2],
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ]);
      expect(
        done.steps
          .filter((b) => b.action === 'AttachKeyPair')
          .flatMap((b) => b.outcomes ?? [])
          .filter((o) => o.ok),
      ).toHaveLength(150);

      // A third start finds nothing left to do: no call, no second summary. (Resume begins right
      // after the start line, before a signal can be handled, and the stop waits for it.)
      const c = start({ VOLC_MAX_CONCURRENCY: '1' });
      await c.started;
      await stopGracefully(c);
      expect(c.lines.map((l) => l.event)).not.toContain('execution resumed');
      expect(ecs.callsFor('AttachKeyPair')).toHaveLength(3);
      expect(summaryPosts(request.ts)).toHaveLength(1);
    },
  );
});

describe('kill -9 in the middle of a rolling restart', () => {
  it(
    'reboots each instance exactly once and the roll continues after a restart',
    TWO_CHILDREN,
    async () => {
      const ids = instanceIds(4);
      // Reboots take 4 s here, so the second process sees the first wave still REBOOTING.
      await ecs.close();
      ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS, rebootMs: 4_000 });
      (stage as ChildStage).ecs = ecs;
      const a = start({ RESTART_WAVE_SIZE: '2' });
      const port = await a.started;
      const request = await submit(a, port, ids);
      await approve(port, request);
      await waitForDone(request.ts);
      const results = await slack.waitFor(
        () =>
          slack
            .callsTo('chat.postMessage')
            .find((c) => c.params.thread_ts === request.ts && buttonValue(c, 'restart_request')),
        'the Restart button',
        WAIT,
      );
      // The API reboots the first wave, but the answer never reaches the bot.
      const held = ecs.hold({ apply: true, action: 'RebootInstances' });
      const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
      await sender.interaction(
        buttonClick({
          actionId: 'restart_request',
          value: buttonValue(results, 'restart_request') as string,
          userId: 'UREQ',
          channelId: request.channel,
          messageTs: request.ts,
          responseUrl: slack.responseUrl('restart'),
        }),
      );
      const card = await slack.waitFor(
        () =>
          slack
            .callsTo('chat.postMessage')
            .find((c) => c.params.thread_ts === request.ts && buttonValue(c, 'approve_request')),
        'the restart card',
        WAIT,
      );
      const restart = {
        requestId: buttonValue(card, 'approve_request') as string,
        ts: request.ts,
        channel: request.channel,
      };
      await approve(port, restart);
      const first = await held.arrived;
      expect(first.instanceIds).toEqual(ids.slice(0, 2));
      a.kill('SIGKILL');
      await a.exited;

      const b = start({ RESTART_WAVE_SIZE: '2' });
      await b.started;
      await b.waitForLog(
        (l) => l.event === 'request done' && l.requestId === restart.requestId,
        WAIT,
      );
      await stopGracefully(b);
      const reboots = ecs.callsFor('RebootInstances');
      expect(reboots.map((c) => c.clientToken)).toEqual([
        first.clientToken,
        first.clientToken,
        reboots[2]?.clientToken,
      ]);
      expect(reboots[2]?.instanceIds).toEqual(ids.slice(2));
      expect(ids.map((id) => ecs.timesRebooted(id))).toEqual([1, 1, 1, 1]);
      const restartResults = slack
        .callsTo('chat.postMessage')
        .filter(
          (c) => c.params.thread_ts === request.ts && messageText(c).includes('Restart results'),
        );
      expect(restartResults).toHaveLength(1);
      expect(messageText(restartResults[0])).toContain('4 restarted');
    },
  );
});

describe('graceful stop', () => {
  it('SIGTERM waits for the batch in flight, which finishes and is reported', async () => {
    const ids = instanceIds(2);
    const held = ecs.hold({ action: 'AttachKeyPair' });
    const a = start();
    const port = await a.started;
    const request = await submit(a, port, ids);
    await approve(port, request);
    await held.arrived;

    let exitedEarly = false;
    void a.exited.then(() => {
      exitedEarly = true;
    });
    a.kill('SIGTERM');
    await a.waitForLog('stopping');
    // Still running: the stop is waiting for the held call.
    expect(exitedEarly).toBe(false);
    held.release();
    expect(await a.exited).toEqual({ code: 0, signal: null });

    const stored = storedRequest(request.requestId);
    expect(stored.status).toBe('done');
    expect(stored.steps.map((b) => b.state)).toEqual(['done', 'done']);
    expect(stored.resultsPostedAt).toBeDefined();
    expect(ecs.applications.size).toBe(1);
    expect(summaryPosts(request.ts)).toHaveLength(1);
    expect(a.lines.map((l) => l.event)).toContain('attach-key-bot stopped');
    expect(a.lines.map((l) => l.event)).not.toContain(
      'stopping with work in flight; the journal resumes it on the next start',
    );
  });

  it(
    'SIGTERM leaves unsent batches planned; the next start sends only those',
    TWO_CHILDREN,
    async () => {
      const ids = instanceIds(150);
      const held = ecs.hold({ action: 'AttachKeyPair' });
      const a = start({ VOLC_MAX_CONCURRENCY: '1' });
      const port = await a.started;
      const request = await submit(a, port, ids);
      await approve(port, request);
      const first = await held.arrived;

      a.kill('SIGTERM');
      await a.waitForLog('stopping');
      // Answer only once the receiver is closed: the service stops taking new batches right after.
      await waitUntilRefused(port);
      held.release();
      expect(await a.exited).toEqual({ code: 0, signal: null });

      const stopped = storedRequest(request.requestId);
      expect(stopped.status).toBe('executing');
      // The answered batch was still read back while stopping (a read starts no change).
      expect(stopped.steps.map((b) => [b.action, b.state, b.sendCount])).toEqual([
        ['AttachKeyPair', 'done', 1],
        ['AttachKeyPair', 'planned', 0],
        ['Verify', 'done', 1],
        ['Verify', 'planned', 0],
      ]);
      expect(stopped.resultsPostedAt).toBeUndefined();
      expect(ecs.callsFor('AttachKeyPair')).toHaveLength(1);
      expect(summaryPosts(request.ts)).toHaveLength(0);

      const b = start({ VOLC_MAX_CONCURRENCY: '1' });
      await b.started;
      await waitForDone(request.ts);
      await stopGracefully(b);

      const tokens = ecs.callsFor('AttachKeyPair').map((c) => c.clientToken);
      expect(tokens).toEqual([first.clientToken, stopped.steps[1]?.clientToken]);
      expect(ids.filter((id) => ecs.timesApplied(id) !== 1)).toEqual([]);
      expect(summaryPosts(request.ts)).toHaveLength(1);
      const done = storedRequest(request.requestId);
      expect(done.status).toBe('done');
      expect(done.steps.map((b) => [b.state, b.sendCount])).toEqual([
        ['done', 1],
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ]);
    },
  );

  it.each(['SIGTERM', 'SIGINT'] as const)('%s on an idle bot exits 0 promptly', async (signal) => {
    const bot = start();
    await bot.started;
    const sentAt = Date.now();
    bot.kill(signal);
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    expect(bot.lines.map((l) => [l.event, l.signal])).toContainEqual(['stopping', signal]);
    expect(bot.lines.at(-1)?.event).toBe('attach-key-bot stopped');
  });
});

describe('stopping before the start finished', () => {
  it('exits 0 on SIGTERM while Socket Mode is still connecting, with no start-up error', async () => {
    // The fake Slack hands out a socket URL nobody listens on: the start never completes.
    const bot = start({ SLACK_APP_TOKEN: 'xapp-placeholder' });
    await bot.waitForLog((l) => l.event.includes('WebSocket') && l.source === 'bolt');
    bot.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(bot.stderr()).not.toContain('cannot start');
    expect(bot.lines.at(-1)?.event).toBe('attach-key-bot stopped');
  });
});

describe('a DATA_FILE the bot cannot use', () => {
  it('refuses a truncated store, says what to do and leaves the bytes alone', async () => {
    mkdirSync(join(dir, 'data'));
    const truncated = '{"version":1,"requests":';
    writeFileSync(dataFile, truncated);
    const before = statSync(dataFile);

    const bot = start();
    const exit = await bot.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const stderr = bot.stderr();
    expect(stderr).toContain(dataFile);
    expect(stderr).toMatch(/not valid JSON/);
    expect(stderr).toMatch(/Restore it from a backup, or move it aside/);
    expect(stderr).not.toMatch(/\n\s+at /); // a message for people, not a stack
    expect(bot.lines.map((l) => l.event)).not.toContain('attach-key-bot started');
    expect(readFileSync(dataFile, 'utf8')).toBe(truncated);
    expect(statSync(dataFile).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses a DATA_FILE that is a directory and leaves it alone', async () => {
    mkdirSync(dataFile, { recursive: true });
    const bot = start();
    const exit = await bot.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const stderr = bot.stderr();
    expect(stderr).toContain(dataFile);
    expect(stderr).toMatch(/is a directory/);
    expect(stderr).toMatch(/Point DATA_FILE at a file/);
    expect(statSync(dataFile).isDirectory()).toBe(true);
    expect(readdirSync(dataFile)).toEqual([]);
  });
});

describe('a bad environment', () => {
  it('names every bad variable and echoes no secret', async () => {
    const botToken = 'xoxb-LEAKCHECK-bot-token-0000';
    const appToken = 'not-xapp-LEAKCHECK-secret';
    const bot = start({
      APPROVER_USER_IDS: '',
      SLACK_BOT_TOKEN: botToken,
      SLACK_APP_TOKEN: appToken,
    });
    const exit = await bot.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const stderr = bot.stderr();
    expect(stderr).toContain('APPROVER_USER_IDS');
    expect(stderr).toContain('SLACK_APP_TOKEN');
    expect(stderr).not.toContain('SLACK_BOT_TOKEN'); // it was valid
    const everything = `${stderr}\n${bot.stdout.join('\n')}`;
    expect(everything).not.toContain(botToken);
    expect(everything).not.toContain(appToken);
    expect(everything).not.toContain('LEAKCHECK');
  });

  it('refuses an http:// endpoint on a host that is not loopback, before any secret is sent', async () => {
    const bot = start({ SLACK_API_URL: 'http://slack.example.com/api/' });
    const exit = await bot.exited;
    expect(exit.code).toBe(1);
    expect(bot.stderr()).toMatch(
      /SLACK_API_URL: http:\/\/ is accepted only for a loopback host \(127\.0\.0\.0\/8, ::1, localhost\): the bot token would travel in cleartext/,
    );
    expect(bot.lines.map((l) => l.event)).not.toContain('attach-key-bot started');
    // Not even auth.test went out: the token never left the process.
    expect(slack.calls).toEqual([]);
  });
});

describe('restart with a pending request', () => {
  it('a new process takes the approval of a card the old one posted', TWO_CHILDREN, async () => {
    const ids = instanceIds(3);
    const a = start();
    const request = await submit(a, await a.started, ids);
    await stopGracefully(a);
    expect(storedRequest(request.requestId).status).toBe('pending');

    const b = start();
    const portB = await b.started;
    await approve(portB, request);
    await waitForDone(request.ts);
    await stopGracefully(b);

    expect(cardPosts()).toHaveLength(1);
    const attaches = ecs.callsFor('AttachKeyPair');
    expect(attaches).toHaveLength(1);
    expect(attaches[0]?.instanceIds).toEqual(ids);
    expect(ecs.applications.size).toBe(1);
    expect(summaryPosts(request.ts)).toHaveLength(1);
    const done = storedRequest(request.requestId);
    expect(done.status).toBe('done');
    expect(done.decision?.by).toBe('UAPP1');
  });
});
