import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { defaultAuditFile } from '../../src/store/audit-log.js';
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

// Issue 19, "an approval is for now", with real processes: the bot is killed (-9) after an
// approval and before its first call, and comes back after REQUEST_TTL_MINUTES. The approved
// request expires at start instead of running: no call reaches the cloud, the thread says to
// ask again, and the audit trail says why.

const WAIT = 10_000;
const TWO_CHILDREN = { timeout: 30_000 };

let slack: FakeSlackApi;
let ecs: FakeEcsApi;
let dataFile: string;

let stage: ChildStage | undefined;

beforeEach(async () => {
  stage = await openChildStage('window');
  ({ slack, ecs, dataFile } = stage);
});

afterEach(() => closeChildStage(stage));

function start(extra: Record<string, string> = {}): ChildBot {
  return startStageBot(stage as ChildStage, extra);
}

const stored = (requestId: string): MutationRequest => storedRequestIn(dataFile, requestId);

describe('an approval is for now', () => {
  it(
    'expires at start, unsent, an approved request whose bot died before its first call',
    TWO_CHILDREN,
    async () => {
      const a = start();
      const port = await a.started;
      const sender = slackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
      await sender.command({
        text: 'i-late00001 i-late00002 key=ops-key',
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
      const ts = stored(requestId).card?.ts as string;

      // The first call after the approval is the key pair's second read: it never answers.
      const held = ecs.hold({ action: 'DescribeKeyPairs' });
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
      await held.arrived;
      a.kill('SIGKILL');
      await a.exited;
      expect(stored(requestId).status).toBe('approved');

      // Back after longer than REQUEST_TTL_MINUTES (36 ms here) since the approval.
      const b = start({ REQUEST_TTL_MINUTES: '0.0006' });
      await b.started;
      const note = await slack.waitFor(
        () =>
          slack
            .callsTo('chat.postMessage')
            .find((c) => c.params.thread_ts === ts && messageText(c).includes('not run')),
        'the thread note',
        WAIT,
      );
      expect(messageText(note)).toContain('but not started within');
      expect(messageText(note)).toContain('it expired, and nothing was sent. Ask again');
      b.kill('SIGTERM');
      await b.exited;

      expect(ecs.callsFor('AttachKeyPair')).toHaveLength(0);
      expect(ecs.mutations).toHaveLength(0);
      const after = stored(requestId);
      expect(after).toMatchObject({
        status: 'expired',
        stopped: { reason: 'approval_lapsed' },
        decision: { kind: 'approved', by: 'UAPP1' },
      });
      expect(after.steps.every((s) => s.state === 'skipped' && s.sendCount === 0)).toBe(true);
      const audit = readFileSync(defaultAuditFile(dataFile), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; requestId: string; reason?: string });
      const mine = audit.filter((e) => e.requestId === requestId).map((e) => e.type);
      expect(mine).toContain('expired');
      expect(mine).not.toContain('execution_started');
      expect(audit.find((e) => e.type === 'expired')?.reason).toBe('approval_lapsed');
    },
  );
});
