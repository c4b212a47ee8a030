import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buttonValue,
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 12 end to end: a quorum and its race, a tag rule restricting approvers to a user group,
// user-group approvers failing closed, a bad policy file, the reminder, the requester's DMs and an
// approval from App Home.

let h: Harness;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'akb-approvals-'));
});
afterEach(async () => {
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});

const dms = (user: string) =>
  h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === user);

describe('quorum', () => {
  it('needs two approvals, shows "1 of 2", and runs once under 20 concurrent clicks', async () => {
    const approvers = Array.from({ length: 20 }, (_, i) => `UAPP${String(i).padStart(2, '0')}`);
    h = await startHarness({ env: { MIN_APPROVALS: '2', APPROVER_USER_IDS: approvers.join(',') } });
    const { requestId, card, ts } = await h.request('i-aaaa1111 key=ops-key');
    expect(messageText(card)).toContain('*Approvals*\\n0 of 2');
    expect(messageText(card)).toContain('Needs 2 approvals');

    const clicks = await Promise.all(approvers.map((user) => h.click('approve', requestId, user)));
    expect(clicks.every((c) => c.reply.status === 200)).toBe(true);
    await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    const stored = await h.store(requestId);
    expect(stored.approval.approvals).toHaveLength(2);
    const events = (await h.auditEvents(requestId)).map((e) => e.type);
    expect(events.filter((t) => t === 'approved')).toHaveLength(1);
    expect(events.filter((t) => t === 'approval_counted')).toHaveLength(1);
    expect(events.filter((t) => t === 'execution_started')).toHaveLength(1);
  });

  it('tells the same approver "you already approved" and counts them once', async () => {
    h = await startHarness({ env: { MIN_APPROVALS: '2' } });
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.slack.waitFor(
      () => messageText(h.lastCardUpdate(ts)).includes('1 of 2'),
      'the card at 1 of 2',
    );
    const again = await h.click('approve', requestId, 'UAPP1');
    expect(String((await h.responseTo(again.replyId)).text)).toContain(
      'You already approved this request (1 of 2 approvals)',
    );
    expect((await h.store(requestId)).status).toBe('pending');
    await h.click('approve', requestId, 'UAPP2');
    await h.waitForThread(ts);
  });
});

describe('policy rules and user groups', () => {
  it("lets only the rule's user group approve a production instance, and names the rule", async () => {
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      'rules:\n  - name: production\n    match: { tag: env=prod }\n    approvals: 1\n    approvers: [S0SRELEADS]\n',
    );
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      instances: [{ instanceId: 'i-prod00001', tags: [{ key: 'env', value: 'prod' }] }],
    });
    h = await startHarness({ ecs, env: { POLICY_FILE: policy } });
    h.slack.answer('usergroups.users.list', (p) =>
      p.usergroup === 'S0SRELEADS'
        ? { ok: true, users: ['ULEAD1'] }
        : { ok: false, error: 'no_such_subteam' },
    );
    const { requestId, card, ts } = await h.request('i-prod00001 key=ops-key');
    expect(messageText(card)).toContain('rule `production` (a tag matched');
    expect(messageText(card)).toContain('Who may approve: <!subteam^S0SRELEADS>');

    const outsider = await h.click('approve', requestId, 'UAPP1');
    expect(String((await h.responseTo(outsider.replyId)).text)).toContain(
      'not among the approvers',
    );
    await h.click('approve', requestId, 'ULEAD1');
    await h.waitForThread(ts);
    expect((await h.store(requestId)).decision?.by).toBe('ULEAD1');
  });

  it('resolves default approvers from a user group, and fails closed when Slack cannot say', async () => {
    h = await startHarness({ env: { APPROVER_USER_IDS: 'S0OPS' } });
    h.slack.answer('usergroups.users.list', () => ({ ok: false, error: 'missing_scope' }));
    const first = await h.request('i-aaaa1111 key=ops-key');
    const refused = await h.click('approve', first.requestId, 'UOPS1');
    expect(String((await h.responseTo(refused.replyId)).text)).toContain(
      'could not ask Slack who is in <!subteam^S0OPS>',
    );
    expect((await h.store(first.requestId)).status).toBe('pending');

    h.slack.answer('usergroups.users.list', () => ({ ok: true, users: ['UOPS1'] }));
    await h.click('approve', first.requestId, 'UOPS1');
    await h.waitForThread(first.ts);
  });

  it('refuses to start with a bad policy file, naming the file, the rule and the field', async () => {
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      'rules:\n  - name: prod\n    match: { tag: env=prod }\n    approvals: 0\n',
    );
    await expect(startHarness({ env: { POLICY_FILE: policy } })).rejects.toThrow(
      `POLICY_FILE ${policy}: rule 1 ("prod"): approvals: expected a whole number of approvals, at least 1`,
    );
  });
});

describe('approvers never miss a request', () => {
  it('reminds once at half the TTL, mentioning who has not approved', async () => {
    h = await startHarness({ env: { REQUEST_TTL_MINUTES: '0.02', MIN_APPROVALS: '2' } }); // 1.2 s
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    const reminder = await h.slack.waitFor(
      () => h.threadPosts(ts).find((c) => messageText(c).includes('Still waiting for approval')),
      'the reminder',
    );
    const text = messageText(reminder);
    expect(text).toContain('1 of 2 approvals');
    expect(text).toContain('<@UAPP2> <@UAPP3>');
    expect(text).not.toContain('<@UAPP1>');
    await h.waitForStatus(requestId, 'expired');
    expect(h.threadPosts(ts).filter((c) => messageText(c).includes('Still waiting'))).toHaveLength(
      1,
    );
  });

  it('sends the requester a DM when approved and when the results are posted, with a link', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.click('approve', requestId, 'UAPP2');
    await h.waitForThread(ts);
    const notes = await h.slack.waitFor(
      () => (dms('UREQ').length >= 2 ? dms('UREQ') : undefined),
      'two DMs',
    );
    expect(messageText(notes[0])).toContain(`request \`${requestId}\` was approved by <@UAPP2>`);
    expect(messageText(notes[1])).toContain('are posted: 1 succeeded');
    expect(messageText(notes[1])).toContain('|Open the thread>');
  });

  it('lists what waits for you on App Home, and an approval there updates the card', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    const body = JSON.stringify({
      token: 'x',
      team_id: 'T0FAKE',
      api_app_id: 'A0FAKE',
      type: 'event_callback',
      event_id: 'Ev01',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_home_opened',
        user: 'UAPP1',
        channel: 'D0APP1',
        tab: 'home',
        event_ts: '1.0',
      },
    });
    const opened = await h.sender.raw(body, {
      ...h.sender.sign(body),
      'Content-Type': 'application/json',
    });
    expect(opened.status).toBe(200);
    const publish = await h.slack.waitFor(
      () => h.slack.callsTo('views.publish')[0],
      'views.publish',
    );
    expect(publish.params.user_id).toBe('UAPP1');
    const view = JSON.stringify(publish.params.view);
    expect(view).toContain('Waiting for you (1)');
    expect(view).toContain(requestId);
    const homeButton = buttonValue(
      { ...publish, params: { blocks: (publish.params.view as { blocks: unknown }).blocks } },
      'approve_request',
    );
    expect(homeButton).toBe(requestId);
    // Home's Approve asks for the same confirmation as the card's.
    const homeBlocks = (publish.params.view as { blocks: { elements?: unknown[] }[] }).blocks;
    const approve = homeBlocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => (e as { action_id?: string }).action_id === 'approve_request');
    expect(approve).toMatchObject({ confirm: { confirm: { text: 'Approve' } } });

    // The click comes from the Home tab: a view container, no response_url.
    const click = await h.sender.interaction({
      type: 'block_actions',
      team: { id: 'T0FAKE', domain: 'fake' },
      user: { id: 'UAPP1', username: 'uapp1', team_id: 'T0FAKE' },
      api_app_id: 'A0FAKE',
      token: 'x',
      container: { type: 'view', view_id: 'VHOME' },
      trigger_id: '1.2.3',
      view: { id: 'VHOME', type: 'home' },
      actions: [
        {
          type: 'button',
          action_id: 'approve_request',
          block_id: `home_decide_${requestId}`,
          value: requestId,
          action_ts: '1.1',
        },
      ],
    });
    expect(click.status).toBe(200);
    await h.waitForThread(ts);
    await h.slack.waitFor(
      () => messageText(h.lastCardUpdate(ts)).includes('Approved by <@UAPP1>'),
      'the card updated',
    );
    // The Home tab is published again once the request changed: nothing waits for UAPP1 now.
    const refreshed = await h.slack.waitFor(
      () => h.slack.callsTo('views.publish')[1],
      'a refreshed Home',
    );
    expect(refreshed.params.user_id).toBe('UAPP1');
    const after = JSON.stringify(refreshed.params.view);
    expect(after).toContain('Waiting for you (0)');
    expect(after).toContain('Nothing is waiting for your approval.');
  });
});
