import { describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { SANDBOX_FACTS } from '../../src/sandbox/fleet.js';
import { en } from '../../src/slack/i18n/en.js';
import {
  escapeMrkdwn,
  escapeMrkdwnOnce,
  formatSlackDate,
  mentionChannel,
  mentionUser,
} from '../../src/slack/render/escape.js';
import { findLimitViolations, type SlackReply } from '../../src/slack/render/limits.js';
import {
  renderNotes,
  renderParseError,
  renderReminder,
  renderRequesterNote,
  renderUsage,
} from '../../src/slack/render/messages.js';
import { type Refusal, renderRefusal } from '../../src/slack/render/refusals.js';
import { renderHistory, renderStatus } from '../../src/slack/render/status.js';

const USAGE =
  'How to use /attach-key:\n• /attach-key i-aaaa1111 key=NAME\n• /attach-key <ids> key-id=kp-…';
const AT = '2026-11-01T10:10:00.000Z';
const AT_TOKEN = `<!date^${Date.parse(AT) / 1000}^{date_short_pretty} at {time}|${AT}>`;

function makeRequest(extra: Partial<MutationRequest> = {}): MutationRequest {
  return {
    id: 'req-abc123',
    kind: 'attach',
    fingerprint: '1a2b-3c4d-5e6f',
    approval: { required: 1, rules: [], approvals: [] },
    status: 'done',
    requesterId: 'U01REQUESTER',
    channelId: 'C01CHANNEL',
    instanceIds: ['i-aaaa1111', 'i-bbbb2222'],
    keyPairName: 'ops-key',
    region: 'cn-beijing',
    createdAt: '2026-11-01T10:00:00.000Z',
    expiresAt: '2026-11-01T11:00:00.000Z',
    decision: { kind: 'approved', by: 'U02APPROVER', at: AT },
    finishedAt: '2026-11-01T10:11:00.000Z',
    steps: [
      {
        index: 0,
        phase: 0,
        action: 'AttachKeyPair',
        clientToken: 't0',
        instanceIds: ['i-aaaa1111', 'i-bbbb2222'],
        state: 'done',
        sendCount: 1,
        apiRequestId: 'RID-0',
        outcomes: [
          { instanceId: 'i-aaaa1111', ok: true },
          { instanceId: 'i-bbbb2222', ok: false, code: 'InvalidInstanceStatus', message: 'x' },
        ],
      },
    ],
    ...extra,
  };
}

/** Every `<…>` left in the output is a mention or date token the bot made on purpose. */
function expectOnlySafeTokens(message: unknown) {
  const tokens = JSON.stringify(message).match(/<[^<>]*>/g) ?? [];
  for (const token of tokens) {
    expect(token).toMatch(
      /^<(@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\dT:.Z-]+)>$/,
    );
  }
}

function valid(reply: SlackReply): string {
  expectOnlySafeTokens(reply);
  expect(findLimitViolations(reply)).toEqual([]);
  return JSON.stringify(reply);
}

describe('escape helpers', () => {
  it('escapes & < > so nothing pings or links', () => {
    expect(escapeMrkdwn('<!channel> & <https://x|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://x|y&gt;',
    );
    expect(escapeMrkdwnOnce('&lt;ok&gt; & <new>')).toBe('&lt;ok&gt; &amp; &lt;new&gt;');
    expect(escapeMrkdwnOnce('&amplifier')).toBe('&amp;amplifier');
  });

  it('mentions only real user and channel ids', () => {
    expect(mentionUser('U012ABCDEF')).toBe('<@U012ABCDEF>');
    expect(mentionUser('W012ABCDEF')).toBe('<@W012ABCDEF>');
    expect(mentionUser('<!channel>')).toBe('&lt;!channel&gt;');
    expect(mentionUser('u012abc')).toBe('u012abc');
    expect(mentionUser('U01|x>')).toBe('U01|x&gt;');
    expect(mentionChannel('C012ABC')).toBe('<#C012ABC>');
    expect(mentionChannel('C1><!here')).toBe('C1&gt;&lt;!here');
  });

  it('formats dates as Slack date tokens with an ISO fallback', () => {
    expect(formatSlackDate(AT, en)).toBe(AT_TOKEN);
    expect(formatSlackDate('<!here>', en)).toBe('&lt;!here&gt;');
  });
});

describe('usage, parse errors and notes', () => {
  it('shows usage with the regions and appendix escaped', () => {
    const appendix = { ...SANDBOX_FACTS, plainInstance: 'try <ids> & more' };
    const json = valid(renderUsage(en, { regions: ['<ids>'], appendix }));
    expect(json).toContain('&lt;ids&gt;');
    expect(json).not.toContain('<ids>');
    expect(json).toContain('How to use /attach-key');
  });

  it('names what was wrong and shows the usage, escaping the token once', () => {
    const reply = renderParseError(
      { problem: { kind: 'markup', token: '<!channel>' }, more: 0 },
      en,
    );
    const json = valid(reply);
    expect(reply.text).toContain(
      'Slack mentions and links are not instance ids: `&lt;!channel&gt;`',
    );
    expect(reply.text).toContain('How to use /attach-key');
    expect(json).not.toContain('&amp;lt;');
  });

  it('lists notes', () => {
    const reply = renderNotes(
      [
        { kind: 'duplicates_removed', count: 1 },
        { kind: 'key_id_wins', keyPairId: 'kp-abcd1234', keyPairName: 'prod' },
      ],
      en,
    );
    valid(reply);
    expect(reply.text).toMatch(/notes:\n• 1 duplicate id was removed\n• key-id wins over key=/);
  });
});

describe('renderRefusal', () => {
  const cases: [Refusal, RegExp][] = [
    [{ reason: 'not_approver' }, /not among the approvers of this request \(APPROVER_USER_IDS/i],
    [
      { reason: 'already_approved_by_you', approvals: 1, required: 2 },
      /already approved this request \(1 of 2 approvals\)/,
    ],
    [{ reason: 'storage_unavailable' }, /Storage unavailable.*Nothing was changed/],
    [{ reason: 'approvers_unresolved', groups: ['S0LEADS'] }, /who is in <!subteam\^S0LEADS>/],
    [
      {
        reason: 'unknown_key_pair',
        region: 'cn-beijing',
        keyPair: 'opz',
        suggestions: ['ops', 'ops-2'],
      },
      /no key pair `opz` in `cn-beijing`.*Did you mean `ops`, `ops-2`\?/,
    ],
    [{ reason: 'nothing_to_do', kind: 'restart' }, /Nothing to restart/],
    [{ reason: 'undo_window_closed', closedAt: AT }, /Undo was offered until <!date/],
    [{ reason: 'not_finished' }, /not finished yet/],
    [{ reason: 'undo_not_offered' }, /Only a key pair binding can be undone/],
    [{ reason: 'self_approval' }, /someone else has to approve/],
    [
      {
        reason: 'already_decided',
        status: 'executing',
        decision: { kind: 'approved', by: 'U02APPROVER', at: AT },
      },
      /already approved by <@U02APPROVER> <!date\^\d+\^.*It is running/,
    ],
    [
      {
        reason: 'already_decided',
        status: 'done',
        decision: { kind: 'approved', by: 'U02APPROVER', at: AT },
      },
      /already approved by <@U02APPROVER>.*finished/,
    ],
    [
      {
        reason: 'already_decided',
        status: 'rejected',
        decision: { kind: 'rejected', by: 'U03OTHER', at: AT },
      },
      /already rejected by <@U03OTHER> <!date/,
    ],
    [
      { reason: 'already_decided', status: 'expired', decision: { kind: 'expired', at: AT } },
      /expired at <!date\^\d+\^/,
    ],
    [{ reason: 'expired', expiresAt: AT }, /expired at <!date\^\d+\^/],
    [{ reason: 'unknown_request' }, /can't find that request/],
    [{ reason: 'unknown_request', requestId: 'req-zzz' }, /can't find request `req-zzz`/],
    [{ reason: 'shutting_down' }, /restarting/],
    [{ reason: 'channel_not_allowed' }, /not allowed in this channel/],
    [
      { reason: 'channel_not_allowed', allowedChannelIds: ['C0OPS', 'bad<!x>'] },
      /<#C0OPS>, bad&lt;!x&gt;/,
    ],
    [{ reason: 'requester_not_allowed' }, /REQUESTER_USER_IDS/],
    [{ reason: 'too_many_instances', count: 700, limit: 500 }, /700 instances.*at most 500/],
    [
      { reason: 'bot_not_in_channel', detail: 'not_in_channel' },
      /`\/invite @&lt;bot name&gt;` in this channel/,
    ],
    [{ reason: 'post_failed', detail: 'msg_too_long' }, /Slack said `msg_too_long`/],
  ];

  it.each(cases)('explains %o', (refusal, wording) => {
    const reply = renderRefusal(refusal, en);
    valid(reply);
    expect(reply.text).toMatch(wording);
  });

  it('names the bot when its id is known and appends usage when given', () => {
    const reply = renderRefusal({ reason: 'bot_not_in_channel' }, en, {
      botUserId: 'U0BOT',
      usage: USAGE,
    });
    expect(reply.text).toContain('<@U0BOT>');
    expect(reply.text).toContain('How to use /attach-key');
    expect(reply.text).not.toContain('<ids>');
  });

  it('does not say "nothing was changed" for a request that is running', () => {
    const reply = renderRefusal(
      {
        reason: 'already_decided',
        status: 'executing',
        decision: { kind: 'approved', by: 'U02APPROVER', at: AT },
      },
      en,
    );
    expect(reply.text).not.toMatch(/Nothing was changed/);
  });
});

describe('renderStatus', () => {
  const status = (r: MutationRequest | undefined, archived = false) =>
    renderStatus(r?.id ?? 'req-nope', r ? { request: r, archived } : undefined, en);
  const textOf = (replies: SlackReply[]) => replies.map((r) => r.text).join('\n');

  it('answers an unknown id with a refusal naming it', () => {
    expect(textOf(status(undefined))).toMatch(/can't find request `req-nope`/);
  });

  it('shows who asked, what, who decided, when, and the outcome', () => {
    const replies = status(makeRequest());
    for (const r of replies) valid(r);
    const text = textOf(replies);
    expect(text).toContain('*Request `req-abc123`*: done');
    expect(text).toMatch(/Asked by <@U01REQUESTER> <!date.*in <#C01CHANNEL>/);
    expect(text).toContain('Key pair `ops-key` · region `cn-beijing` · 2 instances');
    expect(text).toContain('Fingerprint `1a2b-3c4d-5e6f`');
    expect(text).toContain(`Approved by <@U02APPROVER> ${AT_TOKEN}`);
    expect(text).toContain('1 succeeded · 1 failed · 0 unconfirmed');
    expect(text).toContain('`InvalidInstanceStatus` ×1');
    expect(text).toMatch(/Finished <!date/);
    expect(text).not.toContain('archived');
  });

  it('marks archived snapshots', () => {
    expect(textOf(status(makeRequest(), true))).toContain('(archived)');
  });

  it('lists every instance, over several messages when there are many', () => {
    const ids = Array.from({ length: 600 }, (_, i) => `i-${String(i).padStart(12, '0')}`);
    const replies = status(makeRequest({ instanceIds: ids, steps: [] }));
    expect(replies.length).toBeGreaterThan(1);
    for (const r of replies) valid(r);
    const all = replies.map((r) => JSON.stringify(r.blocks)).join('');
    for (const id of ids) expect(all).toContain(id);
  });

  it('shows progress while running and the deadline while pending', () => {
    const running = makeRequest({ status: 'executing', finishedAt: undefined });
    running.steps.push({
      index: 1,
      phase: 0,
      action: 'AttachKeyPair',
      clientToken: 't1',
      instanceIds: ['i-c'],
      state: 'sent',
      sendCount: 1,
    });
    expect(textOf(status(running))).toContain('Running: 1 of 2 steps answered');
    const pending = makeRequest({
      status: 'pending',
      steps: [],
      decision: undefined,
      finishedAt: undefined,
    });
    expect(textOf(status(pending))).toMatch(/Waiting for approval until <!date/);
    expect(textOf(status(pending))).toContain('Approvals: 0 of 1');
  });

  it('escapes what the requester typed', () => {
    const replies = status(makeRequest({ keyPairName: '<!channel>', region: '<!here>' }));
    const json = replies.map(valid).join('');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
    expect(json).toContain('&lt;!channel&gt;');
  });

  it('says SANDBOX for a sandbox request', () => {
    expect(textOf(status(makeRequest({ sandbox: true })))).toContain('SANDBOX');
  });
});

describe('renderHistory', () => {
  it('says when there is nothing yet', () => {
    const reply = renderHistory([], en);
    valid(reply);
    expect(reply.text).toMatch(/No requests yet/);
  });

  it('lists who requested what, who decided, when and the totals', () => {
    const rejected = makeRequest({
      id: 'req-two',
      status: 'rejected',
      keyPairId: 'kp-9999',
      keyPairName: undefined,
      steps: [],
      decision: { kind: 'rejected', by: 'U03OTHER', at: AT },
      finishedAt: undefined,
    });
    const restart = makeRequest({
      id: 'req-three',
      kind: 'restart',
      keyPairName: undefined,
      parentId: 'req-abc123',
    });
    const reply = renderHistory([makeRequest(), rejected, restart], en);
    const json = valid(reply);
    expect(reply.text).toContain('3');
    expect(json).toMatch(
      /`req-abc123` <!date[^•]*<@U01REQUESTER>: `ops-key` → 2 instances in `cn-beijing` — \*done\* · Approved by <@U02APPROVER> <!date[^•]*✅ 1 ❌ 1 ⚠️ 0/u,
    );
    expect(json).toMatch(/`req-two`.*`kp-9999`.*\*rejected\* · Rejected by <@U03OTHER>/);
    expect(json).toMatch(/`req-three`.*restart · 2 instances in `cn-beijing`/);
  });

  it('stays within limits for 50 long entries and says how many it left out', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      makeRequest({
        id: `req-${i}`,
        keyPairName: `<!channel>${'k'.repeat(60)}`,
        keyPairId: `kp-${'9'.repeat(40)}`,
      }),
    );
    const reply = renderHistory(many, en);
    const json = valid(reply);
    expect(json).not.toContain('<!channel>');
    const shown = json.match(/`req-\d+`/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    if (shown < 50) expect(json).toContain(`and ${50 - shown} more not shown`);
  });
});

describe("the requester's private notes and the reminder", () => {
  it('says approved, rejected, expired and where the results are', () => {
    const r = makeRequest();
    expect(renderRequesterNote(r, 'approved', en).text).toMatch(
      /request `req-abc123` was approved by <@U02APPROVER>/,
    );
    const rejected = { ...r, decision: { kind: 'rejected' as const, by: 'U03OTHER', at: AT } };
    expect(renderRequesterNote(rejected, 'rejected', en).text).toMatch(
      /rejected by <@U03OTHER>\. Nothing was changed/,
    );
    const expired = valid(renderRequesterNote({ ...r, status: 'expired' }, 'expired', en));
    expect(expired).toContain('`req-abc123` expired');
    expect(expired).toContain('nothing was changed');
    expect(expired).toContain('`/attach-key`');
    const results = renderRequesterNote(
      r,
      'results',
      en,
      'https://fake.slack.test/archives/C01/p1',
    );
    expect(results.text).toContain('1 succeeded · 1 failed');
    expect(results.text).toContain('<https://fake.slack.test/archives/C01/p1|Open the thread>');
  });

  it('mentions the approvers who have not approved yet, users and groups', () => {
    const r = makeRequest({
      status: 'pending',
      approval: { required: 2, rules: [], approvals: [{ by: 'U0A1', at: AT }] },
    });
    const text = valid(renderReminder(r, ['U0A1', 'U0A2', 'S0LEADS'], en));
    expect(text).toContain('has 1 of 2 approvals');
    expect(text).toContain('<@U0A2> <!subteam^S0LEADS>');
    expect(text).not.toContain('<@U0A1>');
  });
});
