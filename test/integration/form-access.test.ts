import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/bot-harness.js';
import {
  blockSuggestion,
  globalShortcut,
  viewSelectChange,
  viewSubmission,
} from '../support/slack-requests.js';

// Issue 18 over the real Bolt receiver: the shortcut, the pickers and the region switch answer
// only people who may ask (no cloud read for anyone else); the form's channel is a channel the
// bot is in (ALLOWED_CHANNEL_IDS only, when set); people of another workspace may neither ask nor
// approve unless listed by id; and the first form opens in the user's language.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

type View = Record<string, unknown>;
const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });

async function shortcut(userId: string, teamId?: string): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  const trigger = `trig-${userId}-${before}`;
  const reply = await h.sender.interaction(
    globalShortcut({
      callbackId: 'attach_key_shortcut',
      userId,
      triggerId: trigger,
      ...(teamId ? { teamId } : {}),
    }),
  );
  expect(reply.status).toBe(200);
  const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[before], 'views.open');
  expect(open.params.trigger_id).toBe(trigger);
  return open.params.view as View;
}

/** A submission of the shortcut's form: one pasted id, a key pair, and this channel value. */
function submit(view: View, channel: Record<string, unknown>, userId = 'UREQ', teamId?: string) {
  return h.sender.interaction(
    viewSubmission({
      view,
      userId,
      ...(teamId ? { teamId } : {}),
      values: {
        region: { region_select: { type: 'static_select', selected_option: option('cn-beijing') } },
        instances: {
          'instances_select:cn-beijing': { type: 'multi_external_select', selected_options: [] },
        },
        instance_ids: { instance_ids_input: { type: 'plain_text_input', value: 'i-aaaa1111' } },
        key_pair: {
          'key_pair_select:cn-beijing': {
            type: 'external_select',
            selected_option: option('kp-abcd1234'),
          },
        },
        channel: { channel_select: channel },
      },
    }),
  );
}
const conversation = (id: string) => ({ type: 'conversations_select', selected_conversation: id });

describe('who may open the form and search the cloud', () => {
  it('shows a non-requester a short refusal in their language: no form, no cloud read', async () => {
    h = await startHarness({ env: { REQUESTER_USER_IDS: 'UREQ' } });
    h.slack.answer('users.info', (p) => ({ ok: true, user: { id: p.user, locale: 'zh-CN' } }));
    const view = await shortcut('UNOBODY');
    const text = JSON.stringify(view);
    expect(text).toContain('REQUESTER_USER_IDS');
    expect(text).toContain('你不在可发起密钥对请求的名单中');
    expect(text).not.toMatch(/external_select|conversations_select|static_select/);
    expect(view.submit).toBeUndefined();

    // Keystrokes and a region switch in a form they should never have: nothing at all.
    const form = await shortcut('UREQ');
    for (const [blockId, actionId] of [
      ['instances', 'instances_select:cn-beijing'],
      ['key_pair', 'key_pair_select:cn-beijing'],
    ] as const) {
      for (const value of ['', 'web', 'i-abc']) {
        const reply = await h.sender.interaction(
          blockSuggestion({ view: form, userId: 'UNOBODY', blockId, actionId, value }),
        );
        expect(reply.json()).toEqual({ options: [] });
      }
    }
    const updates = h.slack.callsTo('views.update').length;
    await h.sender.interaction(
      viewSelectChange({
        view: form,
        userId: 'UNOBODY',
        blockId: 'region',
        actionId: 'region_select',
        value: 'cn-shanghai',
      }),
    );
    // The requester's own keystroke is answered (and reads the cloud): the refused ones did not.
    const readsBefore = h.ecs.calls.filter((c) => c.region === 'cn-shanghai').length;
    const allowed = await h.sender.interaction(
      blockSuggestion({
        view: form,
        userId: 'UREQ',
        blockId: 'instances',
        actionId: 'instances_select:cn-beijing',
        value: 'web',
      }),
    );
    expect(allowed.status).toBe(200);
    expect(readsBefore).toBe(0);
    expect(h.slack.callsTo('views.update').length).toBe(updates);
    expect(h.ecs.calls.every((c) => c.region !== 'cn-shanghai')).toBe(true);
  });

  it('runs no DescribeInstances for a refused user at all', async () => {
    h = await startHarness({ env: { REQUESTER_USER_IDS: 'UREQ' } });
    const view = await shortcut('UNOBODY');
    const form = { ...view, private_metadata: JSON.stringify({ region: 'cn-beijing' }) };
    for (const value of ['web', 'i-abc', 'db']) {
      await h.sender.interaction(
        blockSuggestion({
          view: form,
          userId: 'UNOBODY',
          blockId: 'instances',
          actionId: 'instances_select:cn-beijing',
          value,
        }),
      );
    }
    await h.bot.service.idle();
    expect(h.ecs.callsFor('DescribeInstances')).toEqual([]);
    expect(h.ecs.callsFor('DescribeKeyPairs')).toEqual([]);
  });
});

describe('the channel of the card', () => {
  it('offers only ALLOWED_CHANNEL_IDS, by name', async () => {
    h = await startHarness({ env: { ALLOWED_CHANNEL_IDS: 'C0OPS,G0PROD' } });
    h.slack.answer('conversations.info', (p) => ({
      ok: true,
      channel: { id: p.channel, name: p.channel === 'C0OPS' ? 'ops' : 'prod-ops', is_member: true },
    }));
    const view = await shortcut('UREQ');
    const block = (view.blocks as Array<Record<string, unknown>>).find(
      (b) => b.block_id === 'channel',
    );
    expect(block?.element).toMatchObject({
      type: 'static_select',
      action_id: 'channel_select',
      options: [
        { text: { text: '#ops' }, value: 'C0OPS' },
        { text: { text: '#prod-ops' }, value: 'G0PROD' },
      ],
    });
    const picked = { type: 'static_select', selected_option: option('G0PROD') };
    expect((await submit(view, picked)).body).toBe('');
    const card = await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage')[0], 'the card');
    expect(card.params.channel).toBe('G0PROD');
    const elsewhere = { type: 'static_select', selected_option: option('C0ELSE') };
    expect((await submit(view, elsewhere)).json().errors).toEqual({
      channel: expect.stringContaining('not allowed in this channel'),
    });
  });

  it('refuses a person or a DM as the channel, and nothing is stored', async () => {
    h = await startHarness();
    const view = await shortcut('UREQ');
    for (const id of ['U0SOMEONE', 'D0DIRECT', 'W0ENTERPRISE', 'nonsense']) {
      const reply = await submit(view, conversation(id));
      expect(reply.json()).toEqual({
        response_action: 'errors',
        errors: { channel: expect.stringMatching(/^Choose a channel \(public or private\)/) },
      });
    }
    expect(await h.bot.service.recent({ limit: 5 })).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('says to invite the bot first when it is not in the channel, and stores nothing', async () => {
    h = await startHarness();
    h.slack.answer('conversations.info', (p) =>
      p.channel === 'G0SECRET'
        ? { ok: false, error: 'channel_not_found' }
        : { ok: true, channel: { id: p.channel, name: 'dev', is_member: false } },
    );
    const view = await shortcut('UREQ');
    for (const channel of ['G0SECRET', 'C0DEV']) {
      const reply = await submit(view, conversation(channel));
      expect(reply.json().errors).toEqual({
        channel:
          'I am not in that channel yet. Invite me (@attach-key-bot) there first (/invite), then send the form again. Nothing was stored.',
      });
    }
    expect(await h.bot.service.recent({ limit: 5 })).toEqual([]);
    // No preview was read either (the form's own listing of the region is another matter).
    const previews = h.ecs.callsFor('DescribeInstances').filter((c) => c.instanceIds.length);
    expect(previews).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });
});

describe('people of another workspace (Slack Connect)', () => {
  it('may neither ask nor approve unless listed by id', async () => {
    h = await startHarness({ env: { APPROVER_USER_IDS: 'S0LEADS,UAPP1' } });
    h.slack.answer('usergroups.users.list', () => ({ ok: true, users: ['ULEAD', 'UEXT'] }));
    const asked = await h.command('i-aaaa1111 key=ops-key', { user: 'UEXT', team: 'T0OTHER' });
    expect(String((await h.responseTo(asked.replyId)).text)).toContain('another workspace');
    expect(await shortcut('UEXT', 'T0OTHER')).not.toHaveProperty('submit');

    const { requestId } = await h.request('i-aaaa1111 key=ops-key');
    // In the approvers' group, but from another workspace: a group does not count.
    const external = await h.click('approve', requestId, 'UEXT', 'T0OTHER');
    expect(String((await h.responseTo(external.replyId)).text)).toContain('another workspace');
    expect((await h.store(requestId)).status).toBe('pending');
    // Named by id: allowed from another workspace too.
    await h.click('approve', requestId, 'UAPP1', 'T0OTHER');
    await h.waitForStatus(requestId, 'done');
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(1);
  });
});

describe('the language of a first form', () => {
  it('opens a zh-CN user’s first form in Chinese, Slack answering users.info after a delay', async () => {
    h = await startHarness();
    h.slack.answer('users.info', async (p) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { ok: true, user: { id: p.user, locale: 'zh-CN' } };
    });
    const view = await shortcut('UZH');
    expect(view.title).toMatchObject({ text: '绑定密钥对' });
    expect(JSON.stringify(view.blocks)).toContain('审批人批准之前不会有任何改动');
  });

  it('opens in the default language when Slack is slower than the trigger allows, then redraws it', async () => {
    h = await startHarness();
    h.slack.answer('users.info', async (p) => {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      return { ok: true, user: { id: p.user, locale: 'zh-CN' } };
    });
    const view = await shortcut('UZHSLOW');
    expect(view.title).toMatchObject({ text: 'Attach key pair' });
    const update = await h.slack.waitFor(() => h.slack.callsTo('views.update')[0], 'the redraw');
    expect(update.params.view).toMatchObject({ title: { text: '绑定密钥对' } });
    expect(update.params.hash).toBe('h');
  });
});
