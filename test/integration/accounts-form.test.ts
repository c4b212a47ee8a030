import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from '../support/bot-harness.js';
import { blockSuggestion, viewSelectChange, viewSubmission } from '../support/slack-requests.js';
import {
  PROD_CHANNEL,
  PROD_INSTANCE,
  STAGING_CHANNEL,
  STAGING_INSTANCE,
  startTwoAccounts,
  type TwoAccounts,
} from '../support/two-accounts.js';

// Issue 24 in the form: the account select at the top, which redraws the regions and pickers;
// the pickers read with the chosen account's credentials; the account rules on submission.

let h: Harness | undefined;
let two: TwoAccounts | undefined;
afterEach(async () => {
  await h?.stop({ keepFakes: true });
  await h?.slack.close();
  await two?.close();
  h = undefined;
  two = undefined;
});

type View = Record<string, unknown> & { blocks: Array<Record<string, unknown>> };
const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const metadata = (view: View) => JSON.parse(String(view.private_metadata));
const elementOf = (view: View, blockId: string) =>
  (view.blocks.find((b) => b.block_id === blockId)?.element ?? {}) as Record<string, unknown>;
const optionValues = (view: View, blockId: string) =>
  ((elementOf(view, blockId).options ?? []) as Array<{ value: string }>).map((o) => o.value);

async function open(h: Harness, channel: string): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  await h.command('', { channel });
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open')[before], 'views.open');
  return opened.params.view as View;
}

async function suggest(h: Harness, view: View) {
  const action = String(elementOf(view, 'instances').action_id);
  const reply = await h.sender.interaction(
    blockSuggestion({ view, userId: 'UREQ', blockId: 'instances', actionId: action, value: '' }),
  );
  return ((reply.json().options ?? []) as Array<{ value: string }>).map((o) => o.value);
}

describe('the form with several accounts', () => {
  it('switches account, lists that account only, and freezes it with the request', async () => {
    two = await startTwoAccounts();
    const bot = await startHarness({ ecs: two.prod, env: two.env });
    h = bot;
    // An unmapped channel: the select offers both accounts, none chosen, and no picker reads.
    const first = await open(h, 'C0OTHER');
    expect(first.blocks.findIndex((b) => b.block_id === 'account')).toBeLessThan(
      first.blocks.findIndex((b) => b.block_id === 'region'),
    );
    expect(optionValues(first, 'account')).toEqual(['prod', 'staging']);
    expect(elementOf(first, 'account').initial_option).toBeUndefined();
    expect(await suggest(h, first)).toEqual([]);

    await h.sender.interaction(
      viewSelectChange({
        view: first,
        userId: 'UREQ',
        blockId: 'account',
        actionId: 'account_select',
        value: 'staging',
      }),
    );
    const update = await bot.slack.waitFor(
      () => bot.slack.callsTo('views.update')[0],
      'views.update',
    );
    const staging = update.params.view as View;
    expect(metadata(staging)).toMatchObject({ account: 'staging', region: 'cn-beijing' });
    expect(elementOf(staging, 'instances').action_id).toBe('instances_select:staging/cn-beijing');
    const listed = await suggest(h, staging);
    expect(listed).toContain(STAGING_INSTANCE);
    expect(listed).not.toContain(PROD_INSTANCE);
    expect(two.prod.callsFor('DescribeInstances')).toEqual([]);

    const reply = await h.sender.interaction(
      viewSubmission({
        view: staging,
        userId: 'UREQ',
        values: {
          account: {
            account_select: { type: 'static_select', selected_option: option('staging') },
          },
          region: {
            region_select: { type: 'static_select', selected_option: option('cn-beijing') },
          },
          instances: {
            'instances_select:staging/cn-beijing': {
              type: 'multi_external_select',
              selected_options: [option(STAGING_INSTANCE)],
            },
          },
          instance_ids: { instance_ids_input: { type: 'plain_text_input', value: '' } },
          key_pair: {
            'key_pair_select:staging/cn-beijing': {
              type: 'external_select',
              selected_option: option('kp-shared0000001'),
            },
          },
        },
      }),
    );
    expect(reply.status).toBe(200);
    const [newest] = await eventually(async () => {
      const recent = await h?.bot.service.recent({ limit: 1 });
      return recent?.length ? recent : undefined;
    }, 'the request');
    expect(newest).toMatchObject({ account: 'staging', instanceIds: [STAGING_INSTANCE] });
  });

  it('offers only the mapped account in its channel, and refuses another on submission', async () => {
    two = await startTwoAccounts();
    h = await startHarness({ ecs: two.prod, env: two.env });
    const view = await open(h, PROD_CHANNEL);
    expect(optionValues(view, 'account')).toEqual(['prod']);
    expect(metadata(view)).toMatchObject({ account: 'prod', channelId: PROD_CHANNEL });
    // Only prod's regions in the region select.
    expect(optionValues(view, 'region')).toEqual(['cn-beijing', 'cn-shanghai']);
    expect(await suggest(h, view)).toContain(PROD_INSTANCE);
    // A crafted options request for staging's picker from this form lists nothing.
    const crafted = await h.sender.interaction(
      blockSuggestion({
        view,
        userId: 'UREQ',
        blockId: 'instances',
        actionId: 'instances_select:staging/cn-beijing',
        value: '',
      }),
    );
    expect(crafted.json().options ?? []).toEqual([]);

    const reply = await h.sender.interaction(
      viewSubmission({
        view,
        userId: 'UREQ',
        values: {
          account: {
            account_select: { type: 'static_select', selected_option: option('staging') },
          },
          region: {
            region_select: { type: 'static_select', selected_option: option('cn-beijing') },
          },
          instances: {
            'instances_select:prod/cn-beijing': {
              type: 'multi_external_select',
              selected_options: [],
            },
          },
          instance_ids: { instance_ids_input: { type: 'plain_text_input', value: PROD_INSTANCE } },
          key_pair: {
            'key_pair_select:prod/cn-beijing': {
              type: 'external_select',
              selected_option: option('kp-shared0000001'),
            },
          },
        },
      }),
    );
    expect(reply.json()).toMatchObject({
      response_action: 'errors',
      errors: { account: expect.stringContaining('This channel uses account prod') },
    });
    expect(await h.bot.service.recent({ limit: 1 })).toEqual([]);
  });

  it("asks again for the failed instances in the first request's account", async () => {
    two = await startTwoAccounts();
    const bot = await startHarness({ ecs: two.prod, env: two.env });
    h = bot;
    two.staging.failInstance(STAGING_INSTANCE, 'InvalidInstance.Busy', 'busy');
    const { requestId, ts } = await bot.request(`${STAGING_INSTANCE} key=ops-key`, {
      channel: STAGING_CHANNEL,
    });
    await bot.click('approve', requestId, 'UAPP1');
    await bot.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'the results');
    const before = bot.slack.callsTo('views.open').length;
    await bot.clickButton('retry_failed', requestId, 'UREQ', ts);
    const opened = await bot.slack.waitFor(
      () => bot.slack.callsTo('views.open')[before],
      'the prefilled form',
    );
    const view = opened.params.view as View;
    expect(metadata(view)).toMatchObject({ account: 'staging', channelId: STAGING_CHANNEL });
    expect(elementOf(view, 'instances').action_id).toBe('instances_select:staging/cn-beijing');
    expect(JSON.stringify(elementOf(view, 'instances').initial_options)).toContain(
      STAGING_INSTANCE,
    );
  });
});
