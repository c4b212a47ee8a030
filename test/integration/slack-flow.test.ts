import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';
import { viewSubmission } from '../support/slack-requests.js';

// Issue 3's cases, end to end: the real Bolt HTTP receiver on loopback, signed requests, the fake
// Slack Web API and the fake Volcengine API.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `i-inst${String(i).padStart(5, '0')}`);

describe('approval flow', () => {
  it('posts a card, runs exactly one signed call on approval, threads the results', async () => {
    h = await startHarness();
    const { requestId, card, ts } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    expect(card.params.channel).toBe('C0OPS');
    expect(messageText(card)).toContain('ops-key');
    expect(messageText(card)).toContain('<@UREQ>');
    expect(messageText(card)).toContain(requestId);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);

    const { reply } = await h.click('approve', requestId, 'UAPP1');
    expect(reply.status).toBe(200);
    const thread = await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');

    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    const call = h.ecs.callsFor('AttachKeyPair')[0];
    expect(call?.auth).toEqual({ ok: true });
    expect(call?.action).toBe('AttachKeyPair');
    expect(call?.region).toBe('cn-beijing');
    expect(call?.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222']);
    expect(call?.keyPairName).toBe('ops-key');
    expect(call?.clientToken).toBe((await h.store(requestId)).steps[0]?.clientToken);

    expect(thread).toHaveLength(1);
    const text = messageText(thread[0]);
    expect(text).toContain('2 succeeded');
    expect(text).toContain('`i-aaaa1111` ok');
    expect(text).toContain('`i-bbbb2222` ok');
    expect(text).toMatch(/Restart these 2 instances/i);
    expect(text).toContain(String(call?.requestId));

    await h.slack.waitFor(
      () => messageText(h.lastCardUpdate(ts)).includes('<@UAPP1>') && h.lastCardUpdate(ts),
      'the card to name the approver',
    );
    const last = await h.slack.waitFor(() => {
      const update = h.lastCardUpdate(ts);
      return update && messageText(update).includes('(done)') ? update : undefined;
    }, 'the card in its done state');
    expect(JSON.stringify(last.params.blocks)).not.toContain('approve_request');
  });

  it('reports per-instance errors beside successes, with explanations and a reminder for the rest', async () => {
    h = await startHarness();
    h.ecs.failInstance('i-bad00001', 'InvalidInstanceStatus');
    h.ecs.failInstance('i-gone0002', 'InvalidInstance.NotFound');
    const { requestId, ts } = await h.request('i-good0001 i-bad00001 i-gone0002 key=ops-key');
    await h.click('approve', requestId, 'UAPP2');
    const thread = await h.waitForThread(ts);
    const text = thread.map(messageText).join('\n');
    expect(text).toContain('1 succeeded');
    expect(text).toContain('2 failed');
    expect(text).toMatch(
      /i-bad00001`? \*?InvalidInstanceStatus\*? — the instance must be Running or Stopped/,
    );
    expect(text).toContain('InvalidInstance.NotFound');
    const reminder = text.slice(text.search(/Restart this instance/i));
    expect(reminder).toContain('i-good0001');
    expect(reminder).not.toContain('i-bad00001');
    await h.waitForStatus(requestId, 'done');
  });

  it('rejects without calling Volcengine and names the rejecter', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    await h.click('reject', requestId, 'UAPP3');
    await h.waitForStatus(requestId, 'rejected');
    const update = await h.slack.waitFor(() => h.lastCardUpdate(ts), 'card update');
    expect(messageText(update)).toContain('<@UAPP3>');
    expect(messageText(update).toLowerCase()).toContain('rejected');
    expect(JSON.stringify(update.params.blocks)).not.toContain('approve_request');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
    expect(h.threadPosts(ts)).toHaveLength(0);
  });
});

describe('who may decide', () => {
  it('refuses a non-approver with an ephemeral note and changes nothing', async () => {
    h = await startHarness();
    const { requestId } = await h.request('i-aaaa1111 key=ops-key');
    const updatesBefore = h.slack.callsTo('chat.update').length;
    const { replyId } = await h.click('approve', requestId, 'URANDOM');
    const answer = await h.responseTo(replyId);
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(answer.text)).toMatch(/approver/i);
    await h.bot.service.idle();
    expect((await h.store(requestId)).status).toBe('pending');
    expect(h.slack.callsTo('chat.update')).toHaveLength(updatesBefore);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });

  it('refuses self-approval unless ALLOW_SELF_APPROVAL=true', async () => {
    h = await startHarness();
    const mine = await h.request('i-aaaa1111 key=ops-key', { user: 'UAPP1' });
    const { replyId } = await h.click('approve', mine.requestId, 'UAPP1');
    expect(String((await h.responseTo(replyId)).text)).toMatch(/someone else has to approve/i);
    expect((await h.store(mine.requestId)).status).toBe('pending');
    await h.stop();

    h = await startHarness({ env: { ALLOW_SELF_APPROVAL: 'true' } });
    const allowed = await h.request('i-aaaa1111 key=ops-key', { user: 'UAPP1' });
    await h.click('approve', allowed.requestId, 'UAPP1');
    await h.waitForThread(allowed.ts);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
  });

  it('lets one of two approvers clicking at once decide; one call is made', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    const [a, b] = await Promise.all([
      h.click('approve', requestId, 'UAPP1'),
      h.click('approve', requestId, 'UAPP2'),
    ]);
    expect([a.reply.status, b.reply.status]).toEqual([200, 200]);
    await h.waitForThread(ts);
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    const loser = (await h.store(requestId)).decision?.by === 'UAPP1' ? b : a;
    const winner = (await h.store(requestId)).decision?.by as string;
    expect(String((await h.responseTo(loser.replyId)).text)).toContain(
      `already approved by <@${winner}>`,
    );
  });
});

describe('bad input', () => {
  it.each([
    ['i-aaaa1111 foo=bar', 'foo=bar'],
    ['i-aaaa1111', 'key='],
    ['i-aaaa1111 key=ops region=mars-1', 'mars-1'],
    ['I-AAAA1111 key=ops', 'I-AAAA1111'],
    ['hello key=ops', 'hello'],
  ])(
    '%j is answered ephemerally, quoting %j, and nothing is stored or posted',
    async (text, quoted) => {
      h = await startHarness();
      const { reply, replyId } = await h.command(text);
      expect(reply.status).toBe(200);
      const body = await h.responseTo(replyId);
      expect(body.response_type).toBe('ephemeral');
      expect(String(body.text)).toContain(quoted);
      expect(JSON.stringify(body)).toContain('/attach-key i-');
      await h.bot.service.idle();
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
      expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);
    },
  );

  it('refuses more ids than MAX_INSTANCES_PER_REQUEST with the limit', async () => {
    h = await startHarness({ env: { MAX_INSTANCES_PER_REQUEST: '3' } });
    const { replyId } = await h.command(`${ids(4).join(' ')} key=ops`);
    expect(String((await h.responseTo(replyId)).text)).toMatch(/4.*3|3.*4/);
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);
  });

  it('answers help with the usage', async () => {
    h = await startHarness();
    const { replyId } = await h.command('help');
    const body = await h.responseTo(replyId);
    expect(body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(body.text)).toContain('key-id=');
  });
});

describe('request options', () => {
  it('binds by the id when both are given: the card and the call name that key pair', async () => {
    h = await startHarness();
    h.ecs.addKeyPair({ keyPairId: 'kp-abcd1234', keyPairName: 'deploy-key' });
    const { requestId, card, ts } = await h.request('i-aaaa1111 key=ops-key key-id=kp-abcd1234');
    // The preview read the id: its own name is shown, and frozen with it.
    expect(messageText(card)).toContain('`deploy-key` · `kp-abcd1234`');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    expect(h.ecs.callsFor('AttachKeyPair')[0]).toMatchObject({
      keyPairId: 'kp-abcd1234',
      keyPairName: 'deploy-key',
    });
  });

  it('signs for the region given with region=', async () => {
    h = await startHarness();
    const { requestId, card, ts } = await h.request('i-aaaa1111 key=ops-key region=cn-shanghai');
    expect(messageText(card)).toContain('cn-shanghai');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    expect(h.ecs.callsFor('AttachKeyPair')[0]).toMatchObject({
      region: 'cn-shanghai',
      auth: { ok: true },
    });
  });

  it('sends 250 ids as batches of 100/100/50 with distinct tokens and totals of 250', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request(`${ids(250).join(',')} key=ops-key`);
    await h.click('approve', requestId, 'UAPP1');
    const thread = await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    expect(
      h.ecs
        .callsFor('AttachKeyPair')
        .map((c) => c.instanceIds.length)
        .sort(),
    ).toEqual([100, 100, 50]);
    expect(new Set(h.ecs.callsFor('AttachKeyPair').map((c) => c.clientToken)).size).toBe(3);
    expect(
      h.ecs
        .callsFor('AttachKeyPair')
        .flatMap((c) => c.instanceIds)
        .sort(),
    ).toEqual(ids(250));
    expect(messageText(thread[0])).toContain('250 succeeded');
    const all = (await h.waitForThread(ts)).map(messageText).join('\n');
    for (const id of ids(250)) expect(all).toContain(id);
  });
});

describe('modal', () => {
  async function openModal() {
    const { reply } = await h.command('', { trigger: 'trigger-modal-1' });
    expect(reply.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    expect(open.params.trigger_id).toBe('trigger-modal-1');
    return open.params.view as Record<string, unknown>;
  }

  it('opens on an empty command, answers bad input inline, posts the card on a good submit', async () => {
    h = await startHarness();
    const view = await openModal();
    expect(view.callback_id).toBe('attach_key_modal');
    const blockIds = (view.blocks as { block_id: string }[]).map((b) => b.block_id);
    expect(blockIds).toEqual(
      expect.arrayContaining(['instances', 'instance_ids', 'key_pair', 'region']),
    );

    // As Slack sends the picker form: the pickers' action ids name the region they search.
    const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
    const values = (pasted: string, keyPair: string, region = 'cn-beijing') => ({
      region: { region_select: { type: 'static_select', selected_option: option(region) } },
      instances: {
        [`instances_select:${region}`]: { type: 'multi_external_select', selected_options: [] },
      },
      instance_ids: { instance_ids_input: { type: 'plain_text_input', value: pasted } },
      key_pair: {
        [`key_pair_select:${region}`]: {
          type: 'external_select',
          selected_option: keyPair ? option(keyPair) : null,
        },
      },
    });

    const bad = await h.sender.interaction(
      viewSubmission({ view, userId: 'UREQ', values: values('i-aaaa1111 nope!', '') }),
    );
    expect(bad.status).toBe(200);
    const errors = bad.json();
    expect(errors.response_action).toBe('errors');
    expect(Object.keys(errors.errors as object).sort()).toEqual(['instance_ids', 'key_pair']);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);

    const good = await h.sender.interaction(
      viewSubmission({
        view,
        userId: 'UREQ',
        values: values('i-aaaa1111\ni-bbbb2222', 'kp-abcd1234', 'cn-shanghai'),
      }),
    );
    expect(good.status).toBe(200);
    expect(good.body).toBe('');
    const card = await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage')[0], 'the card');
    expect(card.params.channel).toBe('C0OPS');
    const requestId = (await h.bot.service.recent({ limit: 1 }))[0]?.id as string;
    expect(await h.store(requestId)).toMatchObject({
      instanceIds: ['i-aaaa1111', 'i-bbbb2222'],
      keyPairId: 'kp-abcd1234',
      region: 'cn-shanghai',
      requesterId: 'UREQ',
      channelId: 'C0OPS',
    });
  });

  it('tells the user when the form cannot open (expired trigger)', async () => {
    h = await startHarness();
    h.slack.fail('views.open', { kind: 'error', error: 'expired_trigger_id' });
    const { replyId } = await h.command('');
    expect(String((await h.responseTo(replyId)).text)).toContain('expired_trigger_id');
  });
});

describe('request authenticity', () => {
  it('answers 401 to a bad Slack signature and does nothing', async () => {
    h = await startHarness();
    const body = new URLSearchParams({
      command: '/attach-key',
      text: 'i-aaaa1111 key=ops',
      user_id: 'UREQ',
      channel_id: 'C0OPS',
      team_id: 'T0FAKE',
      trigger_id: 't',
      response_url: h.slack.responseUrl('forged'),
    }).toString();
    const headers = h.sender.sign(body);
    headers['X-Slack-Signature'] = `v0=${'0'.repeat(64)}`;
    const reply = await h.sender.raw(body, headers);
    expect(reply.status).toBe(401);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(0);
  });
});

describe('restart', () => {
  it('executes a pending request approved after the bot restarted', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    await h.stop({ keepFakes: true, keepData: true });

    h = await startHarness({ dataDir: h.dataDir, slack: h.slack, ecs: h.ecs });
    expect(await h.store(requestId)).toMatchObject({ status: 'pending', card: { ts } });
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
    expect(h.ecs.callsFor('AttachKeyPair')[0]?.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222']);
  });
});
