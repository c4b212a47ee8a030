import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { buttonClick } from '../support/slack-requests.js';

// Issue 4 over HTTP: races, expiry, policy, forged requests, Slack failures, audit and queries.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('races', () => {
  it('20 concurrent approve/reject clicks from several approvers: one decision, 19 refusals', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    const approvers = ['UAPP1', 'UAPP2', 'UAPP3'];
    const clicks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.click(i % 4 === 3 ? 'reject' : 'approve', requestId, approvers[i % 3] as string),
      ),
    );
    expect(clicks.every((c) => c.reply.status === 200)).toBe(true);
    const decision = (await h.store(requestId)).decision;
    if (!decision?.by) throw new Error('no decision recorded');
    const replyIds = new Set(clicks.map((c) => c.replyId));
    const answered = () => h.slack.responses.filter((r) => replyIds.has(r.id));
    await h.slack.waitFor(() => answered().length >= 19, '19 refusals');
    await h.bot.service.idle();
    const refusals = answered();
    expect(refusals).toHaveLength(19);
    for (const r of refusals) {
      expect(String(r.body.text)).toContain(`already ${decision.kind} by <@${decision.by}>`);
    }
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(decision.kind === 'approved' ? 1 : 0);
    if (decision.kind === 'approved') await h.waitForThread(ts);
  });
});

describe('expiry', () => {
  it('expires a pending request: card says expired, buttons go, requester told, late click refused', async () => {
    h = await startHarness({ env: { REQUEST_TTL_MINUTES: '0.005' } }); // 300 ms
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.waitForStatus(requestId, 'expired');
    const update = await h.slack.waitFor(
      () =>
        messageText(h.lastCardUpdate(ts)).toLowerCase().includes('expired') && h.lastCardUpdate(ts),
      'the expired card',
    );
    expect(JSON.stringify(update.params.blocks)).not.toContain('approve_request');
    // The requester hears it in a DM from the app.
    const told = await h.slack.waitFor(
      () => h.slack.callsTo('chat.postMessage').find((c) => c.params.channel === 'UREQ'),
      'the notice',
    );
    expect(String(told.params.text)).toContain(requestId);
    expect(String(told.params.text)).toContain('expired');

    const { replyId } = await h.click('approve', requestId, 'UAPP1');
    expect(String((await h.responseTo(replyId)).text).toLowerCase()).toContain('expired');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });

  it('expires requests that went stale while the bot was down, right at start-up', async () => {
    h = await startHarness({ env: { REQUEST_TTL_MINUTES: '0.005' } });
    const { requestId } = await h.request('i-aaaa1111 key=ops-key');
    await h.stop({ keepFakes: true, keepData: true });
    const restarted = startHarness({
      dataDir: h.dataDir,
      slack: h.slack,
      ecs: h.ecs,
      env: { REQUEST_TTL_MINUTES: '600' },
      overrides: { clock: { now: () => new Date(Date.now() + 60_000) } },
    });
    h = await restarted;
    expect((await h.store(requestId)).status).toBe('expired');
  });
});

describe('policy, fail closed', () => {
  it('refuses to start without approvers', async () => {
    await expect(startHarness({ env: { APPROVER_USER_IDS: '' } })).rejects.toThrow(
      /APPROVER_USER_IDS/,
    );
  });

  it('works only in ALLOWED_CHANNEL_IDS and only for REQUESTER_USER_IDS, saying why', async () => {
    h = await startHarness({ env: { ALLOWED_CHANNEL_IDS: 'C0OPS', REQUESTER_USER_IDS: 'UREQ' } });
    const elsewhere = await h.command('i-aaaa1111 key=ops', { channel: 'C0RANDOM' });
    const there = await h.responseTo(elsewhere.replyId);
    expect(there).toMatchObject({ response_type: 'ephemeral' });
    expect(String(there.text)).toMatch(/channel/i);
    const stranger = await h.command('i-aaaa1111 key=ops', { user: 'USTRANGER' });
    expect(String((await h.responseTo(stranger.replyId)).text)).toMatch(
      /allowed|REQUESTER_USER_IDS|not.*request/i,
    );
    const modal = await h.command('', { user: 'USTRANGER' });
    expect(await h.responseTo(modal.replyId)).toMatchObject({ response_type: 'ephemeral' });
    await h.bot.service.idle();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);

    await h.request('i-aaaa1111 key=ops', { user: 'UREQ', channel: 'C0OPS' });
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(1);
  });
});

describe('hostile input over HTTP', () => {
  it.each([
    '<!channel> key=ops',
    '&lt;!channel&gt; i-aaaa1111 key=ops',
    'i-aaaa1111 key=<http://evil.example|ops>',
    '<@U123> key=ops',
    'x'.repeat(10_000),
  ])('%.40j gets an ephemeral answer that pings nobody, and nothing is stored', async (text) => {
    h = await startHarness();
    const { reply, replyId } = await h.command(text);
    expect(reply.status).toBe(200);
    const body = await h.responseTo(replyId);
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body)).not.toMatch(/<!channel>|<@U123>|<http:\/\/evil/);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);
  });
});

describe('forged and replayed interactivity', () => {
  /** An approve click on a fresh request, sent with headers `sign` makes from the body. */
  async function forge(sign: (body: string) => Record<string, string>) {
    const { requestId } = await h.request('i-aaaa1111 key=ops-key');
    const body = new URLSearchParams({
      payload: JSON.stringify(
        buttonClick({
          actionId: 'approve_request',
          value: requestId,
          userId: 'UAPP1',
          channelId: 'C0OPS',
          messageTs: '1.0',
          responseUrl: h.slack.responseUrl('forged'),
        }),
      ),
    }).toString();
    const reply = await h.sender.raw(body, sign(body));
    return { reply, requestId };
  }

  it.each([
    ['unsigned', () => ({})],
    [
      'wrongly signed',
      (body: string) => ({ ...h.sender.sign(body), 'X-Slack-Signature': `v0=${'a'.repeat(64)}` }),
    ],
    [
      'stale (a replay 6 minutes later)',
      (body: string) => h.sender.sign(body, Math.floor(Date.now() / 1000) - 360),
    ],
  ])('%s: 401 and nothing changes', async (_name, sign) => {
    h = await startHarness();
    const { reply, requestId } = await forge(sign);
    expect(reply.status).toBe(401);
    expect((await h.store(requestId)).status).toBe('pending');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });

  it('refuses a button naming an unknown request id', async () => {
    h = await startHarness();
    const { replyId } = await h.click('approve', 'ak-doesnotexist', 'UAPP1');
    expect(String((await h.responseTo(replyId)).text)).toMatch(/ak-doesnotexist/);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });
});

describe('Slack failures', () => {
  it.each(['not_in_channel', 'channel_not_found'])(
    'chat.postMessage %s: the requester is told how to invite the bot; nothing stays pending',
    async (error) => {
      h = await startHarness();
      h.slack.fail('chat.postMessage', { kind: 'error', error });
      const { replyId } = await h.command('i-aaaa1111 key=ops-key');
      const answer = await h.responseTo(replyId);
      expect(answer.response_type).toBe('ephemeral');
      expect(String(answer.text)).toContain('/invite');
      await h.bot.service.idle();
      expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);
    },
  );

  it('a failing chat.update does not block execution; it is retried and logged with the request id', async () => {
    h = await startHarness({
      overrides: { slackRetry: { retries: 1, minTimeout: 5, maxTimeout: 5 } },
    });
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    // Every card update fails twice (first try and its retry): all of them are lost.
    h.slack.fail(
      'chat.update',
      ...Array.from({ length: 20 }, () => ({ kind: 'http' as const, status: 500 })),
    );
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    expect(h.slack.callsTo('chat.update').length).toBeGreaterThanOrEqual(2);
    const logged = h.logs.filter((l) => l.includes('approval card update failed'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toContain(requestId);
  });

  it('a 429 on chat.update is waited out (Retry-After) and the update lands', async () => {
    h = await startHarness({
      overrides: { slackRetry: { retries: 2, minTimeout: 5, maxTimeout: 5 } },
    });
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    h.slack.fail('chat.update', { kind: 'http', status: 429, retryAfterSeconds: 1 });
    await h.click('reject', requestId, 'UAPP1');
    const updates = await h.slack.waitFor(
      () =>
        h.slack.callsTo('chat.update').length >= 2 ? h.slack.callsTo('chat.update') : undefined,
      'the retried update',
    );
    expect((updates[1]?.at ?? 0) - (updates[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(messageText(h.lastCardUpdate(ts))).toContain('<@UAPP1>');
  });
});

describe('audit trail and queries', () => {
  it('appends every event, keeps it across restarts, and answers status and history', async () => {
    h = await startHarness();
    h.ecs.failInstance('i-bad00001', 'InvalidInstanceStatus');
    const { requestId, ts } = await h.request('i-good0001 i-bad00001 key=ops-key');
    await h.click('approve', requestId, 'UAPP2');
    await h.waitForThread(ts);
    await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results recorded');
    const rejected = await h.request('i-aaaa1111 key=ops-key', { user: 'UREQ2' });
    await h.click('reject', rejected.requestId, 'UAPP1');
    await h.waitForStatus(rejected.requestId, 'rejected');
    await h.bot.service.idle();

    const auditFile = join(h.dataDir, 'audit.jsonl');
    const events = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mine = events.filter((e) => e.requestId === requestId);
    expect(mine.map((e) => e.type)).toEqual([
      'requested',
      'approved',
      'execution_started',
      'step_sent',
      'step_done',
      'step_sent',
      'step_done',
      'finished',
      'results_posted',
    ]);
    expect(mine[1]).toMatchObject({ actor: 'UAPP2', fingerprint: expect.any(String) });
    expect(mine.filter((e) => e.type === 'step_done').map((e) => e.action)).toEqual([
      'AttachKeyPair',
      'Verify',
    ]);
    const done = mine.find((e) => e.type === 'step_done');
    expect(done).toMatchObject({
      clientToken: h.ecs.callsFor('AttachKeyPair')[0]?.clientToken,
      apiRequestId: h.ecs.callsFor('AttachKeyPair')[0]?.requestId,
      outcomes: [
        { instanceId: 'i-good0001', ok: true },
        { instanceId: 'i-bad00001', ok: false, code: 'InvalidInstanceStatus' },
      ],
    });
    expect(
      events.find((e) => e.requestId === rejected.requestId && e.type === 'rejected'),
    ).toMatchObject({
      actor: 'UAPP1',
    });

    const status = await h.command(`status ${requestId}`);
    const statusText = String((await h.responseTo(status.replyId)).text);
    expect(statusText).toContain(requestId);
    expect(statusText).toContain('<@UREQ>');
    expect(statusText).toContain('<@UAPP2>');
    expect(statusText).toMatch(/1 succeeded|✅ 1/);

    const history = await h.command('history 5');
    const historyText = JSON.stringify(await h.responseTo(history.replyId));
    expect(historyText).toContain(requestId);
    expect(historyText).toContain(rejected.requestId);

    const before = await readFile(auditFile, 'utf8');
    await h.stop({ keepFakes: true, keepData: true });
    h = await startHarness({ dataDir: h.dataDir, slack: h.slack, ecs: h.ecs });
    const next = await h.request('i-cccc3333 key=ops-key');
    await h.bot.service.idle();
    const after = await readFile(auditFile, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after).toContain(next.requestId);
  });
});

describe('health endpoint', () => {
  it('answers 200 while the store is reachable and 503 when it is not', async () => {
    h = await startHarness();
    const url = `http://127.0.0.1:${h.port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await rm(h.dataDir, { recursive: true, force: true });
    expect((await fetch(url)).status).toBe(503);
  });
});

describe('start-up checks', () => {
  it('refuses to start when Slack rejects the bot token, saying how to fix it', async () => {
    const slack = await startFakeSlackApi();
    slack.fail('auth.test', { kind: 'error', error: 'invalid_auth' });
    try {
      await expect(startHarness({ slack })).rejects.toMatchObject({
        code: 'slack_token_rejected',
        message: expect.stringContaining('Bot User OAuth Token'),
      });
    } finally {
      await slack.close();
    }
  });

  it('refuses to start when Slack cannot be reached, instead of answering 401 forever', async () => {
    const slack = await startFakeSlackApi();
    slack.fail('auth.test', { kind: 'http', status: 503 });
    try {
      await expect(startHarness({ slack })).rejects.toMatchObject({ code: 'slack_unreachable' });
    } finally {
      await slack.close();
    }
  });
});
