import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { buttonValue, messageText, SIGNING_SECRET } from '../support/bot-harness.js';
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

// A rotation (then=restart, issue 21) killed with -9 after its restart phase was planned, while
// the API applies the first wave's RebootInstances but the bot never hears back. A second process
// on the same DATA_FILE finds the phase's steps journaled, derives nothing again, resends the
// wave with its ClientToken and finishes the roll: every instance bound once, rebooted once, and
// the attach results and the restart results posted once each.

const WAIT = 10_000;

let slack: FakeSlackApi;
let ecs: FakeEcsApi;
let dataFile: string;

let stage: ChildStage | undefined;

beforeEach(async () => {
  stage = await openChildStage('rotation', { rebootMs: 3_000 });
  ({ slack, ecs, dataFile } = stage);
});

afterEach(() => closeChildStage(stage));

const start = (): ChildBot => startStageBot(stage as ChildStage, { RESTART_WAVE_SIZE: '2' });

const storedRequest = (requestId: string): MutationRequest => storedRequestIn(dataFile, requestId);

const threadPosts = (ts: string, text: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => c.params.thread_ts === ts && messageText(c).includes(text));

describe('kill -9 in the middle of a rotation', () => {
  it('resumes the planned restart phase: one binding and one reboot per instance, each result once', {
    timeout: 30_000,
  }, async () => {
    const ids = ['i-rotc00001', 'i-rotc00002', 'i-rotc00003', 'i-rotc00004'];
    const held = ecs.hold({ apply: true, action: 'RebootInstances' });
    const a = start();
    const port = await a.started;
    const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
    await sender.command({
      text: `${ids.join(' ')} key=ops-key then=restart`,
      user_id: 'UREQ',
      channel_id: 'C0OPS',
      response_url: slack.responseUrl('command'),
    });
    const card = await slack.waitFor(
      () => slack.callsTo('chat.postMessage').find((c) => buttonValue(c, 'approve_request')),
      'the card',
      WAIT,
    );
    const requestId = buttonValue(card, 'approve_request') as string;
    await a.waitForLog((l) => l.event === 'request submitted' && l.requestId === requestId);
    const ts = storedRequest(requestId).card?.ts as string;
    await sender.interaction(
      buttonClick({
        actionId: 'approve_request',
        value: requestId,
        userId: 'UAPP1',
        channelId: 'C0OPS',
        messageTs: ts,
        responseUrl: slack.responseUrl('click'),
      }),
    );
    const first = await held.arrived;
    expect(first.instanceIds).toEqual(ids.slice(0, 2));
    a.kill('SIGKILL');
    await a.exited;

    // On disk: the phase planned with its steps and ClientTokens, its first reboot sent.
    const crashed = storedRequest(requestId);
    expect(crashed.next?.planned?.instanceIds).toEqual(ids);
    const phase = crashed.steps.filter((s) => s.kind === 'restart');
    expect(phase.map((s) => [s.action, s.state])).toEqual([
      ['RebootInstances', 'sent'],
      ['WaitRunning', 'planned'],
      ['RebootInstances', 'planned'],
      ['WaitRunning', 'planned'],
    ]);
    expect(phase[0]?.clientToken).toBe(first.clientToken);
    expect(threadPosts(ts, 'Restarting 4 instances now')).toHaveLength(1);

    const b = start();
    await b.started;
    await b.waitForLog((l) => l.event === 'request done' && l.requestId === requestId, WAIT * 2);
    await slack.waitFor(
      () => threadPosts(ts, 'Restart results for request').length > 0,
      'the restart results',
      WAIT,
    );
    b.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });

    const resumed = storedRequest(requestId);
    // Derived once: the same steps, indexes and tokens the first process journaled.
    expect(resumed.steps.filter((s) => s.kind === 'restart').map((s) => s.clientToken)).toEqual(
      phase.map((s) => s.clientToken),
    );
    const reboots = ecs.callsFor('RebootInstances');
    expect(reboots.map((c) => c.clientToken)).toEqual([
      first.clientToken,
      first.clientToken,
      phase[2]?.clientToken,
    ]);
    expect(ids.map((id) => ecs.timesRebooted(id))).toEqual([1, 1, 1, 1]);
    expect(ids.map((id) => ecs.timesApplied(id))).toEqual([1, 1, 1, 1]);
    expect(threadPosts(ts, 'Restarting 4 instances now')).toHaveLength(1);
    expect(threadPosts(ts, 'Restart results for request')).toHaveLength(1);
    expect(messageText(threadPosts(ts, 'Restart results for request')[0])).toContain('4 restarted');
  });
});
