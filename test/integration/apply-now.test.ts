import { afterEach, describe, expect, it } from 'vitest';
import { readApplyScript } from '../../src/domain/apply-script.js';
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

// Issue 22 end to end over signed HTTP against the loopback fake ECS: the key imported, bound,
// then applied now through Cloud Assistant with its own card and approval; an instance without
// an agent left out (and offered a restart), a failing script reported with its exit code, the
// replaced key's line removed, and a second apply finding the key already there.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function start() {
  h = await startApplyStage();
}

/** An attach approved and finished; its id, card ts and first results message. */
async function finishedAttach(text: string) {
  const { requestId, ts } = await h.request(text);
  await h.click('approve', requestId, 'UAPP1');
  await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'attach results posted');
  const results = (await h.waitForThread(ts))[0] as RecordedSlackCall;
  return { requestId, ts, results };
}

const threadText = (ts: string, includes: string) => threadTextOf(h, ts, includes);

describe('apply now', () => {
  it('runs the script through Cloud Assistant after its own approval, and says what happened where', async () => {
    await start();
    const attach = await finishedAttach(
      'i-rotate001 i-plain0001 i-noassist01 i-scriptfail1 i-stop00001 key=new-key',
    );
    expect(buttonValue(attach.results, 'apply_now_request')).toBe(attach.requestId);
    expect(messageText(attach.results)).toContain('Apply now on 4 instances (no restart)…');

    await h.clickButton('apply_now_request', attach.requestId, 'UREQ', attach.ts);
    const card = await h.slack.waitFor(
      () =>
        h
          .threadPosts(attach.ts)
          .find(
            (c) => buttonValue(c, 'approve_request') && messageText(c).includes('Apply key now'),
          ),
      'the apply-now card',
    );
    const text = messageText(card);
    const applyId = buttonValue(card, 'approve_request') as string;
    expect(text).toContain('Apply key now on 3 instances (no restart): waiting for approval');
    expect(text).toContain('`~/.ssh/authorized_keys` of `root` on 3 instances');
    expect(text).toContain('removes the line of `old-key`');
    expect(text).toContain('Left out: `i-noassist01` (Cloud Assistant not running: not installed)');
    expect(text).toContain('Left out: `i-stop00001` (bound while stopped');
    expect(text).toContain(`KEY_BLOB='${NEW.blob}'`);
    expect(text).toContain('Runs as');
    // Nothing runs before the approval.
    expect(h.ecs.callsFor('RunCommand')).toHaveLength(0);

    await h.click('approve', applyId, 'UAPP1');
    await h.waitForStored(applyId, (r) => !!r.resultsPostedAt, 'apply results posted');

    const runs = h.ecs.callsFor('RunCommand');
    expect(runs.every((c) => c.auth.ok)).toBe(true);
    expect(runs.map((c) => [...c.instanceIds].sort())).toEqual([
      ['i-rotate001'],
      ['i-plain0001', 'i-scriptfail1'],
    ]);
    for (const run of runs) {
      expect(run.query).toMatchObject({ Type: 'Shell', Username: 'root', Timeout: '60' });
      expect(run.query.InvocationName).toMatch(new RegExp(`^attach-key-bot-${applyId}-r\\d+$`));
      const script = Buffer.from(run.query.CommandContent ?? '', 'base64').toString('utf8');
      expect(readApplyScript(script)?.requestId).toBe(applyId);
    }
    expect(
      h.ecs.callsFor('DescribeCloudAssistantStatus').every((c) => c.instanceIds.length <= 100),
    ).toBe(true);

    // On the instances: the key added with its marker, the replaced key's line gone, others kept.
    expect(h.ecs.authorizedKeys('i-plain0001')).toBe(
      `${NEW.type} ${NEW.blob} attach-key-bot ${applyId}\n`,
    );
    expect(h.ecs.authorizedKeys('i-rotate001')).toBe(
      `${OTHER.line}\n${NEW.type} ${NEW.blob} attach-key-bot ${applyId}\n`,
    );
    expect(h.ecs.authorizedKeys('i-scriptfail1')).toBeUndefined();

    const thread = await threadText(attach.ts, 'Apply-now results');
    expect(thread).toContain('⚡ 2 in effect now · ❌ 1 failed · ⏱ 0 timed out · ⏭ 2 left out');
    expect(thread).toContain(
      "`i-rotate001` in effect now: key added, the replaced key's line removed",
    );
    expect(thread).toContain('`i-plain0001` in effect now: key added');
    expect(thread).toContain(
      "`i-scriptfail1` failed: the script exited with code 1: `mkdir: cannot create directory '/root/.ssh': Read-only file system`",
    );
    expect(thread).toContain('`i-noassist01` left out: Cloud Assistant is not running there');
    const applyResults = h
      .threadPosts(attach.ts)
      .find((c) => messageText(c).includes('Apply-now results')) as RecordedSlackCall;
    expect(buttonValue(applyResults, 'restart_request')).toBe(applyId);
    expect(messageText(applyResults)).toContain('Restart 2 instances…');

    await h.bot.service.idle();
    const trail = await h.auditEvents(applyId);
    expect(trail.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'apply_requested',
        'apply_approved',
        'apply_step_sent',
        'apply_step_done',
        'apply_results_posted',
        'apply_finished',
      ]),
    );
    const sent = trail.filter((e) => e.type === 'apply_step_sent' && e.action === 'RunCommand');
    expect(sent.map((e) => e.invocationName).sort()).toEqual(
      runs.map((c) => c.query.InvocationName).sort(),
    );
    const done = trail.filter((e) => e.type === 'apply_step_done' && e.action === 'RunCommand');
    expect(done.every((e) => typeof e.invocationId === 'string')).toBe(true);

    // The restart it offers covers where the key did not reach: the agentless and the failed one.
    await h.clickButton('restart_request', applyId, 'UREQ', attach.ts);
    const restart = await h.slack.waitFor(
      () =>
        h
          .threadPosts(attach.ts)
          .find(
            (c) =>
              buttonValue(c, 'approve_request') && messageText(c).includes('Restart 2 instances'),
          ),
      'the restart card',
    );
    expect(messageText(restart)).toContain('i-noassist01');
  });

  it('finds the key already there on a second apply, and changes nothing', async () => {
    await start();
    const first = await finishedAttach('i-plain0001 key=new-key');
    await h.clickButton('apply_now_request', first.requestId, 'UREQ', first.ts);
    const card1 = await h.followUpCard(first.ts);
    await h.click('approve', buttonValue(card1, 'approve_request') as string, 'UAPP1');
    await threadText(first.ts, 'Apply-now results');
    const once = h.ecs.authorizedKeys('i-plain0001');

    // Bound again (the same key), then applied again: the script finds the key.
    const second = await finishedAttach('i-plain0001 key=new-key');
    await h.clickButton('apply_now_request', second.requestId, 'UREQ', second.ts);
    const card2 = await h.followUpCard(second.ts);
    await h.click('approve', buttonValue(card2, 'approve_request') as string, 'UAPP1');
    const thread = await threadText(second.ts, 'Apply-now results');
    expect(thread).toContain('`i-plain0001` in effect now: the key was already there');
    expect(h.ecs.authorizedKeys('i-plain0001')).toBe(once);
    expect(h.ecs.invocations()).toHaveLength(2);
  });

  it('is not offered, and refused if clicked anyway, while the bot does not know the public key', async () => {
    const ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS });
    h = await startHarness({ ecs });
    const attach = await finishedAttach('i-unknown01 key=never-imported');
    expect(buttonValue(attach.results, 'apply_now_request')).toBeUndefined();
    const { replyId } = await h.clickButton(
      'apply_now_request',
      attach.requestId,
      'UREQ',
      attach.ts,
    );
    const reply = String((await h.responseTo(replyId)).text);
    expect(reply).toContain('does not know the public key of `never-imported`');
    expect(reply).toContain('/attach-key import');
    expect(h.ecs.callsFor('RunCommand')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(1);
  });
});
