import { afterEach, describe, expect, it } from 'vitest';
import { BLOCKS } from '../../src/slack/ids.js';
import {
  NEW,
  OTHER,
  startApplyStage,
  threadText as threadTextOf,
} from '../support/apply-now-rig.js';
import {
  buttonValue,
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';
import type { RecordedSlackCall } from '../support/fake-slack-api.js';
import { viewSubmission } from '../support/slack-requests.js';

// then=apply-now end to end over signed HTTP against the loopback fake ECS: one approval binds
// the key, reads it back, then puts it in effect through Cloud Assistant on what was bound and
// verified; the card shows the script and the lines it removes before anything runs; the thread
// has the attach results, then the apply results with the restart for where the key did not go.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function start() {
  h = await startApplyStage();
}

const threadText = (ts: string, includes: string) => threadTextOf(h, ts, includes);

describe('bind, then apply now, under one approval (then=apply-now)', () => {
  it('shows what will run, binds, verifies, applies where it can, and offers a restart for the rest', async () => {
    await start();
    const { requestId, card, ts } = await h.request(
      'i-rotate001 i-plain0001 i-noassist01 i-stop00001 i-fail00001 key=new-key then=apply-now',
    );
    const text = messageText(card);
    expect(text).toContain('Attach key pair, then apply now: waiting for approval');
    expect(text).toContain('Binds `new-key` to 5 instances, then puts it in effect now');
    expect(text).toContain('If every Running instance is bound and verified');
    // The forecast: the four Running ones, old-key's line removed where the preview showed it.
    expect(text).toContain('`~/.ssh/authorized_keys` of `root` on 4 instances');
    expect(text).toContain('removes the line of `old-key`');
    expect(text).toContain(`KEY_BLOB='${NEW.blob}'`);
    expect(text).toContain('Then, under the same approval:');
    const stored = await h.store(requestId);
    expect(stored.next).toEqual({ kind: 'apply' });
    expect(stored.applyNow?.user).toBe('root');
    expect(stored.applyNow?.replaces.map((k) => k.keyPairId)).toEqual(['kp-old0000001']);
    // Nothing runs before the approval.
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
    expect(h.ecs.callsFor('RunCommand')).toHaveLength(0);

    // The attach fails on one instance: the apply leaves it out, and Ask again is offered.
    h.ecs.failInstance('i-fail00001', 'InvalidInstanceStatus');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results posted');

    // The attach first, then the script: never before every binding was answered and read back.
    const lastAttach = Math.max(...h.ecs.callsFor('AttachKeyPair').map((c) => c.seq));
    const runs = h.ecs.callsFor('RunCommand');
    expect(runs.length).toBeGreaterThan(0);
    expect(Math.min(...runs.map((c) => c.seq))).toBeGreaterThan(lastAttach);
    // The stopped one is never sent a command; the agentless one is checked and left out.
    expect(runs.flatMap((c) => c.instanceIds).sort()).toEqual(['i-plain0001', 'i-rotate001']);
    for (const run of runs) {
      expect(run.query).toMatchObject({ Type: 'Shell', Username: 'root', Timeout: '60' });
      expect(run.query.InvocationName).toMatch(new RegExp(`^attach-key-bot-${requestId}-r\\d+$`));
    }
    expect(h.ecs.authorizedKeys('i-plain0001')).toBe(
      `${NEW.type} ${NEW.blob} attach-key-bot ${requestId}\n`,
    );
    expect(h.ecs.authorizedKeys('i-rotate001')).toBe(
      `${OTHER.line}\n${NEW.type} ${NEW.blob} attach-key-bot ${requestId}\n`,
    );

    const thread = await threadText(ts, 'Apply-now results for request');
    expect(thread).toContain('Results for request');
    expect(thread).toContain('Putting the key in effect now on 3 instances');
    expect(thread).toContain('Left out: `i-stop00001` (bound while stopped');
    expect(thread).toContain('Left out: `i-fail00001` (the key pair was not bound');
    expect(thread).toContain('(3 instances, after the binding)');
    expect(thread).toContain('`i-plain0001` in effect now: key added');
    expect(thread).toContain('`i-noassist01` left out: Cloud Assistant is not running there');
    const status = await h.store(requestId);
    expect(status.status).toBe('done');

    const finalCard = await h.slack.waitFor(() => {
      const t = messageText(h.lastCardUpdate(ts));
      return t.includes('Finished') ? t : undefined;
    }, 'the finished card');
    // Both totals: the attach's, then the apply's.
    expect(finalCard).toMatch(/; apply now: 2 in effect now/);

    // One restart is offered from the apply results: where the key did not reach.
    const results = h
      .threadPosts(ts)
      .find((c) => messageText(c).includes('Apply-now results')) as RecordedSlackCall;
    expect(buttonValue(results, 'restart_request')).toBe(requestId);
    // Ask again for what the attach failed on; no Undo (it would leave the lines the script wrote).
    expect(buttonValue(results, 'retry_failed')).toBe(requestId);
    expect(buttonValue(results, 'undo_request')).toBeUndefined();
    await h.clickButton('restart_request', requestId, 'UREQ', ts);
    const restart = await h.followUpCard(ts);
    expect(messageText(restart)).toContain('i-noassist01');
    expect(messageText(restart)).not.toContain('i-plain0001');

    await h.bot.service.idle();
    const trail = await h.auditEvents(requestId);
    const planned = trail.find((e) => e.type === 'phase_planned');
    expect(planned?.phase).toBe('apply');
    const sent = trail.filter((e) => e.type === 'apply_step_sent' && e.action === 'RunCommand');
    expect(sent.map((e) => e.invocationName).sort()).toEqual(
      runs.map((c) => c.query.InvocationName).sort(),
    );
  });

  it('takes then=apply-now from the form, and refuses it ticked beside then=restart', async () => {
    await start();
    await h.command('', { trigger: 'trigger-apply-next' });
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    const view = open.params.view as Record<string, unknown>;
    const submit = (then: string[]) =>
      h.sender.interaction(
        viewSubmission({
          view,
          userId: 'UREQ',
          values: {
            region: {
              region_select: { type: 'static_select', selected_option: { value: 'cn-beijing' } },
            },
            instances: {
              'instances_select:cn-beijing': {
                type: 'multi_external_select',
                selected_options: [],
              },
            },
            instance_ids: {
              instance_ids_input: { type: 'plain_text_input', value: 'i-plain0001' },
            },
            key_pair: {
              'key_pair_select:cn-beijing': {
                type: 'external_select',
                selected_option: { text: { type: 'plain_text', text: 'new' }, value: 'new-key' },
              },
            },
            selector: { selector_input: { type: 'plain_text_input', value: '' } },
            [BLOCKS.next]: {
              then_options: {
                type: 'checkboxes',
                selected_options: then.map((value) => ({
                  text: { type: 'plain_text', text: 'x' },
                  value,
                })),
              },
            },
          },
        }),
      );
    const both = await submit(['restart', 'apply-now']);
    expect(JSON.parse(both.body)).toEqual({
      response_action: 'errors',
      errors: {
        [BLOCKS.next]: 'Choose one: a rolling restart, or apply now (apply now needs no restart).',
      },
    });
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);

    await submit(['apply-now']);
    const card = await h.slack.waitFor(
      () => h.slack.callsTo('chat.postMessage').find((c) => buttonValue(c, 'approve_request')),
      'the card',
    );
    expect(messageText(card)).toContain('Attach key pair, then apply now: waiting for approval');
    const stored = await h.store(buttonValue(card, 'approve_request') as string);
    expect(stored.next).toEqual({ kind: 'apply' });
  });

  it('is refused at submit while the bot does not know the public key, and nothing is stored', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      keyPairs: [{ keyPairId: 'kp-never00001', keyPairName: 'never-imported' }],
    });
    h = await startHarness({ ecs });
    const { replyId } = await h.command('i-plain0001 key=never-imported then=apply-now');
    const reply = String((await h.responseTo(replyId)).text);
    expect(reply).toContain('does not know the public key of `never-imported`');
    expect(reply).toContain('/attach-key import');
    expect(reply).toContain('send the request again');
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);
  });
});
