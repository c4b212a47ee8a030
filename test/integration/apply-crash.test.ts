import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { buttonValue, SIGNING_SECRET } from '../support/bot-harness.js';
import type { ChildBot } from '../support/child-bot.js';
import {
  type ChildStage,
  closeChildStage,
  openChildStage,
  startStageBot,
  storedRequest as storedRequestIn,
} from '../support/child-stage.js';
import type { FakeEcsApi } from '../support/fake-ecs-api.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { buttonClick, slackSender } from '../support/slack-requests.js';
import { makeTestKey } from '../support/ssh-keys.js';

// RunCommand has no ClientToken. The bot as a real process is killed with -9 after the API ran
// a RunCommand but before its answer arrived; the next process finds that invocation by its name
// (DescribeInvocations) instead of sending it again: one invocation per batch, the script once
// per instance, one results post.

const WAIT = 10_000;
const KEY = makeTestKey('ed25519', 'crash@ops');

let slack: FakeSlackApi;
let ecs: FakeEcsApi;
let dataFile: string;

let stage: ChildStage | undefined;

beforeEach(async () => {
  stage = await openChildStage('apply-crash', { strictKeyPairs: true, keyPairs: [] });
  ({ slack, ecs, dataFile } = stage);
});

afterEach(() => closeChildStage(stage));

const start = (): ChildBot => startStageBot(stage as ChildStage, { VOLC_MAX_CONCURRENCY: '1' });

const stored = (requestId: string): MutationRequest => storedRequestIn(dataFile, requestId);

const approveButton = (threadTs?: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => (threadTs ? c.params.thread_ts === threadTs : !c.params.thread_ts))
    .map((c) => buttonValue(c, 'approve_request'))
    .filter((v): v is string => !!v);

describe('kill -9 between RunCommand and its answer', () => {
  it('finds the invocation by name after the restart: one invocation per batch', {
    timeout: 40_000,
  }, async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `i-apcr${String(i).padStart(4, '0')}`);
    const a = start();
    const port = await a.started;
    const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
    const command = (text: string, reply: string) =>
      sender.command({
        text,
        user_id: 'UREQ',
        channel_id: 'C0OPS',
        response_url: slack.responseUrl(reply),
      });
    const click = (actionId: string, value: string, user: string, ts: string, reply: string) =>
      sender.interaction(
        buttonClick({
          actionId,
          value,
          userId: user,
          channelId: 'C0OPS',
          messageTs: ts,
          responseUrl: slack.responseUrl(reply),
        }),
      );

    await command(`import crash-key ${KEY.line}`, 'import');
    expect(
      String(
        (await slack.waitFor(() => slack.responses.find((r) => r.id === 'import'), 'import', WAIT))
          .body.text,
      ),
    ).toContain('Imported');

    await command(`${ids.join(' ')} key=crash-key`, 'attach');
    const attachId = await slack.waitFor(() => approveButton()[0], 'the attach card', WAIT);
    await a.waitForLog((l) => l.event === 'request submitted' && l.requestId === attachId);
    const attachTs = stored(attachId).card?.ts as string;
    await click('approve_request', attachId, 'UAPP1', attachTs, 'approve-attach');
    await a.waitForLog((l) => l.event === 'request done' && l.requestId === attachId, WAIT);
    await slack.waitFor(
      () => slack.callsTo('chat.postMessage').find((c) => buttonValue(c, 'apply_now_request')),
      'the Apply now button',
      WAIT,
    );

    // The API runs the first RunCommand, but its answer never reaches the bot.
    const held = ecs.hold({ apply: true, action: 'RunCommand' });
    await click('apply_now_request', attachId, 'UREQ', attachTs, 'apply');
    const applyId = await slack.waitFor(() => approveButton(attachTs)[0], 'the apply card', WAIT);
    await a.waitForLog((l) => l.event === 'request submitted' && l.requestId === applyId);
    const applyTs = stored(applyId).card?.ts as string;
    await click('approve_request', applyId, 'UAPP1', applyTs, 'approve-apply');
    const first = await held.arrived;
    expect(first.instanceIds).toHaveLength(200);

    a.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const crashed = stored(applyId);
    const runs = crashed.steps.filter((s) => s.action === 'RunCommand');
    expect(runs.map((s) => [s.state, s.sendCount, s.invocationId])).toEqual([
      ['sent', 1, undefined],
      ['planned', 0, undefined],
    ]);
    expect(runs[0]?.invocationName).toBe(first.query.InvocationName);
    expect(ecs.invocations()).toHaveLength(1);

    const b = start();
    await b.started;
    await b.waitForLog((l) => l.event === 'execution resumed' && l.requestId === applyId, WAIT);
    await b.waitForLog((l) => l.event === 'request done' && l.requestId === applyId, WAIT);
    await slack.waitFor(() => stored(applyId).resultsPostedAt, 'the apply results posted', WAIT);
    b.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });

    // One invocation per batch: the held one was found by its name, not sent again.
    expect(ecs.invocations().map((i) => i.invocationName)).toEqual(
      runs.map((s) => s.invocationName),
    );
    const sent = ecs.callsFor('RunCommand');
    expect(sent.map((c) => c.query.InvocationName)).toEqual(runs.map((s) => s.invocationName));
    expect(ecs.callsFor('DescribeInvocations').map((c) => c.query.InvocationName)).toContain(
      first.query.InvocationName,
    );
    const done = stored(applyId);
    expect(done.status).toBe('done');
    expect(done.steps.filter((s) => s.action === 'RunCommand').map((s) => s.sendCount)).toEqual([
      2, 1,
    ]);
    // The script ran once per instance: one line each.
    const line = `${KEY.type} ${KEY.blob} attach-key-bot ${applyId}\n`;
    expect(ids.filter((id) => ecs.authorizedKeys(id) !== line)).toEqual([]);
    const results = slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.params.thread_ts === attachTs && String(c.params.text).includes('Apply-now results'),
      );
    expect(results).toHaveLength(1);
    expect(String(results[0]?.params.text)).toContain('250 in effect now');
  });
});
