import { afterEach, describe, expect, it } from 'vitest';
import { buttonValue, type Harness, startHarness } from '../support/bot-harness.js';
import {
  blockSuggestion,
  globalShortcut,
  viewSelectChange,
  viewSubmission,
} from '../support/slack-requests.js';

// Issue 10 end to end: the real Bolt HTTP receiver, signed block_suggestion, block_actions,
// view_submission and shortcut payloads, the fake Slack Web API and the fake Volcengine API.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

type View = Record<string, unknown>;
type Option = { text: { text: string }; value: string };

const option = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

async function openByCommand(trigger = 'trigger-pickers'): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  await h.command('', { trigger });
  const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[before], 'views.open');
  expect(open.params.trigger_id).toBe(trigger);
  return open.params.view as View;
}

/** Types `value` into a picker of the open view; resolves with Slack's answer and its time. */
async function suggest(view: View, blockId: 'instances' | 'key_pair', value: string) {
  const region = JSON.parse(String(view.private_metadata)).region as string;
  const action = blockId === 'instances' ? 'instances_select' : 'key_pair_select';
  const started = Date.now();
  const reply = await h.sender.interaction(
    blockSuggestion({ view, userId: 'UREQ', blockId, actionId: `${action}:${region}`, value }),
  );
  expect(reply.status).toBe(200);
  return { options: (reply.json().options ?? []) as Option[], ms: Date.now() - started };
}

/** A submission of the picker form, as Slack sends it for the view's region. */
function submission(view: View, picked: Option[], pasted: string, key: Option | null, extra = {}) {
  const region = JSON.parse(String(view.private_metadata)).region as string;
  return viewSubmission({
    view,
    userId: 'UREQ',
    values: {
      region: { region_select: { type: 'static_select', selected_option: option(region) } },
      instances: {
        [`instances_select:${region}`]: {
          type: 'multi_external_select',
          selected_options: picked,
        },
      },
      instance_ids: { instance_ids_input: { type: 'plain_text_input', value: pasted } },
      key_pair: {
        [`key_pair_select:${region}`]: { type: 'external_select', selected_option: key },
      },
      ...extra,
    },
  });
}

const newestRequest = async () => (await h.bot.service.recent({ limit: 1 }))[0];

describe('the picker modal', () => {
  it('lists instances and key pairs from the cloud; the picked and pasted ids reach AttachKeyPair', async () => {
    h = await startHarness();
    h.ecs.addKeyPair({ keyPairId: 'kp-ops00000001', keyPairName: 'ops-key' });
    for (const [id, name, osType] of [
      ['i-web0000001', 'web-01', 'Linux'],
      ['i-web0000002', 'web-02', 'Linux'],
      ['i-win0000001', 'web-win', 'Windows'],
      ['i-db00000001', 'db-01', 'Linux'],
    ] as const) {
      h.ecs.addInstance({ instanceId: id, name, osType, keyPairName: 'old-key' });
    }
    const view = await openByCommand();

    const byName = await suggest(view, 'instances', 'web');
    expect(byName.ms).toBeLessThan(3_000);
    expect(byName.options.map((o) => o.value)).toEqual([
      'i-web0000001',
      'i-web0000002',
      'i-win0000001',
    ]);
    expect(byName.options[0]?.text.text).toBe('web-01 · i-web0000001 · RUNNING · key old-key');
    expect(byName.options[2]?.text.text).toMatch(/^⛔ web-win · i-win0000001 · RUNNING Windows/);
    const byId = await suggest(view, 'instances', 'i-db0');
    expect(byId.options.map((o) => o.value)).toContain('i-db00000001');
    const keys = await suggest(view, 'key_pair', 'ops');
    expect(keys.options.map((o) => o.value)).toEqual(['kp-ops00000001']);
    expect(keys.options[0]?.text.text).toMatch(/^ops-key · fp /);

    const picked = byName.options.slice(0, 2);
    const reply = await h.sender.interaction(
      submission(view, picked, '```\ni-pasted0001, i-web0000001\n```', keys.options[0] ?? null),
    );
    expect(reply.body).toBe('');
    const request = await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage')[0], 'the card');
    expect(request.params.channel).toBe('C0OPS');
    const stored = await newestRequest();
    expect(stored).toMatchObject({
      instanceIds: ['i-web0000001', 'i-web0000002', 'i-pasted0001'],
      keyPairId: 'kp-ops00000001',
      region: 'cn-beijing',
    });
    await h.click('approve', stored?.id as string, 'UAPP1');
    await h.waitForStatus(stored?.id as string, 'done');
    const [attach] = h.ecs.callsFor('AttachKeyPair');
    expect(attach?.instanceIds).toEqual(['i-web0000001', 'i-web0000002', 'i-pasted0001']);
    expect(attach?.keyPairId).toBe('kp-ops00000001');
  });

  it('answers bad submissions inline, keyed by block id', async () => {
    h = await startHarness();
    const view = await openByCommand();
    const empty = await h.sender.interaction(submission(view, [], '', null));
    expect(empty.json()).toEqual({
      response_action: 'errors',
      errors: {
        instances:
          'Pick at least one instance, paste instance ids below, or select them by tag or key pair.',
        key_pair: 'Choose a key pair from the list.',
      },
    });
    // A hint chosen instead of a key pair, and ids picked before the region changed.
    const stale = submission(view, [option('i-web0000001')], 'i-ok000001', option('hint:slow'), {
      region: { region_select: { type: 'static_select', selected_option: option('cn-shanghai') } },
    });
    const errors = (await h.sender.interaction(stale)).json().errors as Record<string, string>;
    expect(errors.instances).toBe(
      'Picked in cn-beijing, but the region is now cn-shanghai: pick again.',
    );
    expect(errors.key_pair).toBe('Choose a key pair from the list.');
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('updates the view when the region changes, so the pickers search the new region', async () => {
    h = await startHarness();
    h.ecs.addInstance({ instanceId: 'i-sh00000001', name: 'web-sh-01', region: 'cn-shanghai' });
    const view = await openByCommand();
    const reply = await h.sender.interaction(
      viewSelectChange({
        view,
        userId: 'UREQ',
        blockId: 'region',
        actionId: 'region_select',
        value: 'cn-shanghai',
      }),
    );
    expect(reply.status).toBe(200);
    const update = await h.slack.waitFor(() => h.slack.callsTo('views.update')[0], 'views.update');
    expect(update.params).toMatchObject({ view_id: 'V0MODAL', hash: 'h' });
    const updated = update.params.view as View;
    expect(JSON.parse(String(updated.private_metadata))).toEqual({
      channelId: 'C0OPS',
      region: 'cn-shanghai',
    });
    const actionIds = JSON.stringify(updated.blocks);
    expect(actionIds).toContain('instances_select:cn-shanghai');
    expect(actionIds).toContain('key_pair_select:cn-shanghai');
    expect(actionIds).not.toContain('instances_select:cn-beijing');

    const found = await suggest(updated, 'instances', 'web-sh');
    expect(found.options.map((o) => o.value)).toEqual(['i-sh00000001']);
    const regions = new Set(h.ecs.callsFor('DescribeInstances').map((c) => c.region));
    expect(regions).toContain('cn-shanghai');
  });

  it('answers within 3 s when the cloud is slow, with a hint, and caches the late answer', async () => {
    h = await startHarness();
    h.ecs.addInstance({ instanceId: 'i-slow000001', name: 'slow-01' });
    const view = await openByCommand();
    await h.bot.service.idle();
    h.ecs.script(
      ...Array.from({ length: 4 }, () => ({
        action: 'DescribeInstances',
        kind: 'delay' as const,
        ms: 2_200,
      })),
    );
    const slow = await suggest(view, 'instances', 'slow');
    expect(slow.ms).toBeLessThan(3_000);
    expect(slow.options[0]?.value).toBe('hint:slow');
    expect(slow.options[0]?.text.text).toMatch(/slow/);
    await new Promise((r) => setTimeout(r, 1_000));
    const cached = await suggest(view, 'instances', 'slow');
    expect(cached.options.map((o) => o.value)).toContain('i-slow000001');
    expect(cached.ms).toBeLessThan(500);
  });

  it('says so when the cloud refuses the search', async () => {
    h = await startHarness();
    const view = await openByCommand();
    h.ecs.script({ action: 'DescribeKeyPairs', kind: 'error', status: 403, code: 'AccessDenied' });
    h.ecs.script({ action: 'DescribeKeyPairs', kind: 'error', status: 403, code: 'AccessDenied' });
    const refused = await suggest(view, 'key_pair', 'x');
    expect(refused.options.map((o) => o.value)).toEqual(['hint:refused']);
    expect(refused.options[0]?.text.text).toContain('AccessDenied');
  });
});

describe('the global shortcut', () => {
  it('opens the form with a channel picker; the card goes to the chosen channel', async () => {
    h = await startHarness();
    const reply = await h.sender.interaction(
      globalShortcut({ callbackId: 'attach_key_shortcut', userId: 'UREQ', triggerId: 'trig-sc' }),
    );
    expect(reply.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    expect(open.params.trigger_id).toBe('trig-sc');
    const view = open.params.view as View;
    expect(JSON.stringify(view.blocks)).toContain('"default_to_current_conversation":true');
    expect(JSON.parse(String(view.private_metadata))).toEqual({ region: 'cn-beijing' });

    const none = await h.sender.interaction(
      submission(view, [], 'i-aaaa1111', option('kp-abcd1234'), {
        channel: { channel_select: { type: 'conversations_select', selected_conversation: null } },
      }),
    );
    expect(none.json().errors).toEqual({ channel: 'Choose the channel for the approval card.' });
    const good = await h.sender.interaction(
      submission(view, [], 'i-aaaa1111', option('kp-abcd1234'), {
        channel: {
          channel_select: { type: 'conversations_select', selected_conversation: 'C0DEV' },
        },
      }),
    );
    expect(good.body).toBe('');
    const card = await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage')[0], 'the card');
    expect(card.params.channel).toBe('C0DEV');
    expect(await newestRequest()).toMatchObject({
      channelId: 'C0DEV',
      instanceIds: ['i-aaaa1111'],
    });
  });

  it('applies the requester rules to the chosen channel', async () => {
    h = await startHarness({ env: { ALLOWED_CHANNEL_IDS: 'C0OPS' } });
    await h.sender.interaction(
      globalShortcut({ callbackId: 'attach_key_shortcut', userId: 'UREQ', triggerId: 'trig-sc' }),
    );
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    const refused = await h.sender.interaction(
      submission(open.params.view as View, [], 'i-aaaa1111', option('kp-abcd1234'), {
        channel: {
          channel_select: { type: 'conversations_select', selected_conversation: 'C0DEV' },
        },
      }),
    );
    expect(Object.keys(refused.json().errors as object)).toEqual(['channel']);
  });
});

describe('ask again for the failed ones', () => {
  it('offers retry_failed on the results, opens the form prefilled, and makes a new request', async () => {
    h = await startHarness();
    h.ecs.failInstance('i-fail000001', 'InvalidInstanceStatus');
    h.ecs.addInstance({ instanceId: 'i-fail000001', name: 'db-stuck' });
    const { requestId, ts } = await h.request('i-good000001 i-fail000001 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = await h.waitForThread(ts);
    const results = thread.find((c) => buttonValue(c, 'retry_failed') === requestId);
    expect(results).toBeDefined();
    expect(JSON.stringify(results?.params.blocks)).toContain('Ask again for the 1 failed…');

    await h.clickButton('retry_failed', requestId, 'UREQ', ts);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    expect(open.params.trigger_id).toBe('1234.5678.click');
    const view = open.params.view as View;
    const blocks = view.blocks as Array<{ block_id: string; element?: Record<string, unknown> }>;
    const element = (id: string) => blocks.find((b) => b.block_id === id)?.element ?? {};
    const picked = element('instances').initial_options as Option[];
    expect(picked.map((o) => o.value)).toEqual(['i-fail000001']);
    expect(picked[0]?.text.text).toContain('db-stuck');
    const key = element('key_pair').initial_option as Option;
    expect(key.text.text).toMatch(/^ops-key/);
    expect(element('region').initial_option).toMatchObject({ value: 'cn-beijing' });
    expect(JSON.stringify(blocks)).toContain(requestId);

    const again = await h.sender.interaction(submission(view, picked, '', key));
    expect(again.body).toBe('');
    const second = await h.slack.waitFor(
      () => h.slack.callsTo('chat.postMessage').filter((c) => buttonValue(c, 'approve_request'))[1],
      'the new card',
    );
    const newId = buttonValue(second, 'approve_request') as string;
    expect(newId).not.toBe(requestId);
    expect(await h.store(newId)).toMatchObject({
      status: 'pending',
      instanceIds: ['i-fail000001'],
      keyPairId: key.value,
      region: 'cn-beijing',
      channelId: 'C0OPS',
    });
  });

  it('has no button when every instance got the key pair', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-good000001 key=ops-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = await h.waitForThread(ts);
    expect(thread.some((c) => buttonValue(c, 'retry_failed'))).toBe(false);
  });
});

describe('sandbox', () => {
  it('shows the sandbox fleet and key pairs in the pickers', async () => {
    h = await startHarness({
      env: { VOLC_SANDBOX: 'true', VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' },
    });
    const view = await openByCommand();
    const web = await suggest(view, 'instances', 'web-0');
    expect(web.options.map((o) => o.text.text.split(' · ')[0])).toEqual([
      'web-01',
      'web-02',
      'web-03',
      'staging-web-01',
    ]);
    const listed = await suggest(view, 'instances', '');
    expect(listed.options.map((o) => o.text.text).join('\n')).toContain('db-primary');
    const keys = await suggest(view, 'key_pair', 'sandbox');
    expect(keys.options.map((o) => o.value)).toEqual(expect.arrayContaining(['kp-sandbox-ops']));
  });
});
