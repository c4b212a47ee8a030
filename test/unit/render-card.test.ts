import { describe, expect, it } from 'vitest';
import type { MutationRequest, RequestStatus, Step } from '../../src/domain/request.js';
import { en } from '../../src/slack/i18n/en.js';
import { ACTIONS, BLOCKS } from '../../src/slack/ids.js';
import { type CardOptions, renderApprovalCard } from '../../src/slack/render/approval-card.js';
import { findLimitViolations, type SlackMessage } from '../../src/slack/render/limits.js';
import {
  APPROVED as approved,
  CREATED,
  doneStep,
  EXPIRES,
  makeRequest,
  verifyStep,
} from '../support/request-fixtures.js';

const EXPIRES_UNIX = Date.parse(EXPIRES) / 1000;
const base: CardOptions = { t: en, sandbox: false, approvers: ['U0APPROVER1', 'S0LEADS'] };
const render = (request: MutationRequest, extra: Partial<CardOptions> = {}) =>
  renderApprovalCard(request, { ...base, ...extra });

const actionsOf = (card: SlackMessage) => card.blocks.filter((b) => b.type === 'actions');
const json = (card: SlackMessage) => JSON.stringify(card);

/** Every `<…>` left in the output is a mention or date token the bot made on purpose. */
function expectOnlySafeTokens(message: unknown) {
  const tokens = JSON.stringify(message).match(/<[^<>]*>/g) ?? [];
  for (const token of tokens) {
    expect(token).toMatch(
      /^<(@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\dT:.Z-]+)>$/,
    );
  }
}

function expectValid(card: SlackMessage) {
  expectOnlySafeTokens(card);
  expect(findLimitViolations(card)).toEqual([]);
  const ids = card.blocks.map((b) => b.block_id);
  expect(ids.every((id) => typeof id === 'string')).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  expect(card.text.length).toBeGreaterThan(0);
}

const ALL = ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333'];
const ALL_STATES: [RequestStatus, Partial<MutationRequest>][] = [
  ['pending', {}],
  ['approved', { decision: approved }],
  ['rejected', { decision: { kind: 'rejected', by: 'U02APPROVER', at: approved.at } }],
  ['expired', { decision: { kind: 'expired', at: EXPIRES } }],
  ['executing', { decision: approved, steps: [doneStep(0, ['i-aaaa1111'])] }],
  ['done', { decision: approved, steps: [doneStep(0, ALL), verifyStep(1, ALL)] }],
  ['failed', { decision: approved, steps: [doneStep(0, ['i-aaaa1111'])] }],
];

describe('renderApprovalCard', () => {
  it('shows a pending request with everything an approver needs', () => {
    const card = render(makeRequest());
    expectValid(card);
    const all = json(card);
    expect(all).toContain('<@U01REQUESTER>');
    expect(all).toContain('`ops-key`');
    expect(all).toContain('cn-beijing');
    expect(all).toContain('`i-aaaa1111`');
    expect(all).toContain('`i-cccc3333`');
    expect(all).toContain('req-abc123');
    expect(all).toContain(
      `<!date^${EXPIRES_UNIX}^{date_short_pretty} at {time}|2026-11-01T11:00:00.000Z>`,
    );
    // the API's consequences, one line each
    expect(all).toMatch(/replaces any key pair bound to these instances earlier in the console/);
    expect(all).toMatch(/Password login stops working/);
    expect(all).toMatch(/takes effect only after each instance is restarted/);
    expect(all).not.toContain('SANDBOX');
    expect(card.text).toContain('req-abc123');
  });

  it('has Approve (primary, with confirm) and Reject (danger) buttons carrying the request id', () => {
    const card = render(makeRequest());
    const actions = actionsOf(card);
    expect(actions).toHaveLength(1);
    const block = actions[0];
    if (block?.type !== 'actions') throw new Error('no actions block');
    expect(block.block_id).toBe(BLOCKS.decision);
    const [approve, reject] = block.elements;
    expect(approve).toMatchObject({
      type: 'button',
      action_id: ACTIONS.approve,
      value: 'req-abc123',
      style: 'primary',
    });
    expect(reject).toMatchObject({
      type: 'button',
      action_id: ACTIONS.reject,
      value: 'req-abc123',
      style: 'danger',
    });
    const confirm = approve && 'confirm' in approve ? approve.confirm : undefined;
    expect(confirm?.title?.text).toBeTruthy();
    expect(confirm?.text.text).toMatch(/3 instances in cn-beijing/);
    expect(confirm?.confirm?.text).toBe('Approve');
  });

  it('says the id is used when both a key pair name and id were given', () => {
    const card = render(makeRequest({ keyPairId: 'kp-12345678' }));
    expect(json(card)).toMatch(/`kp-12345678` \(the id is used; the name `ops-key` is ignored\)/);
    expect(card.text).toContain('kp-12345678');
  });

  it.each(ALL_STATES)(
    'renders %s within limits, with buttons only while pending',
    (status, extra) => {
      const card = render(makeRequest({ status, ...extra }));
      expectValid(card);
      expect(actionsOf(card)).toHaveLength(status === 'pending' ? 1 : 0);
      const all = json(card);
      expect(all.includes(ACTIONS.approve)).toBe(status === 'pending');
      expect(all).toContain('<@U01REQUESTER>');
      if (status !== 'pending' && status !== 'expired') expect(all).toContain('<@U02APPROVER>');
    },
  );

  it('names who decided and when', () => {
    const at = `<!date^${Date.parse(approved.at) / 1000}^`;
    const yes = json(render(makeRequest({ status: 'approved', decision: approved })));
    expect(yes).toMatch(/Approved by <@U02APPROVER> <!date\^/);
    expect(yes).toContain(at);
    const no = json(
      render(
        makeRequest({
          status: 'rejected',
          decision: { kind: 'rejected', by: 'U03OTHER', at: approved.at },
        }),
      ),
    );
    expect(no).toMatch(/Rejected by <@U03OTHER>/);
    expect(no).toContain(at);
    expect(no).toMatch(/Nothing was changed/);
  });

  it('says so when the request expired', () => {
    const card = render(
      makeRequest({ status: 'expired', decision: { kind: 'expired', at: EXPIRES } }),
    );
    expect(card.blocks[0]).toMatchObject({ type: 'header' });
    expect(json(card)).toMatch(/Expired <!date\^\d+\^.*nobody decided in time/);
    expect(card.text).toMatch(/expired/);
  });

  it('drops the buttons of a pending request whose TTL has passed', () => {
    const late = render(makeRequest(), { now: new Date(Date.parse(EXPIRES) + 1000) });
    expect(actionsOf(late)).toHaveLength(0);
    expect(json(late)).toMatch(/Expired/);
    const early = render(makeRequest(), { now: new Date(CREATED) });
    expect(actionsOf(early)).toHaveLength(1);
  });

  it('shows progress while executing', () => {
    const sent: Step = { ...doneStep(1, ['i-bbbb2222']), state: 'sent' };
    delete sent.outcomes;
    const card = render(
      makeRequest({
        status: 'executing',
        decision: approved,
        steps: [doneStep(0, ['i-aaaa1111']), sent, { ...sent, index: 2, state: 'planned' }],
      }),
    );
    expect(json(card)).toContain('Running: 1 of 3 steps answered');
  });

  it('shows totals and points to the thread when finished', () => {
    const card = render(
      makeRequest({
        status: 'done',
        decision: approved,
        finishedAt: '2026-11-01T10:12:00.000Z',
        steps: [doneStep(0, ALL, { 'i-bbbb2222': 'InvalidInstanceStatus' }), verifyStep(1, ALL)],
      }),
    );
    const all = json(card);
    expect(all).toContain('2 succeeded · 1 failed · 0 unconfirmed');
    expect(all).toMatch(/in the thread/);
    const failed = render(
      makeRequest({
        status: 'failed',
        decision: approved,
        steps: [
          {
            index: 0,
            phase: 0,
            action: 'AttachKeyPair',
            clientToken: 't',
            instanceIds: ALL,
            state: 'failed',
            sendCount: 1,
            error: { code: 'InvalidKeyPair.NotFound', message: 'no' },
          },
        ],
      }),
    );
    expect(json(failed)).toContain('0 succeeded · 0 failed · 3 unconfirmed');
    expect(failed.blocks[0]).toMatchObject({ text: { text: expect.stringMatching(/errors/) } });
  });

  it.each(ALL_STATES)('says SANDBOX plainly in the %s card', (status, extra) => {
    const card = render(makeRequest({ status, ...extra }), { sandbox: true });
    expectValid(card);
    expect(card.text).toContain(':test_tube: SANDBOX — simulated, nothing changes');
    expect(card.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: expect.stringContaining('SANDBOX') },
    });
  });

  it('also says SANDBOX for a request that ran in the sandbox', () => {
    const card = render(makeRequest({ sandbox: true }));
    expect(card.text).toContain('SANDBOX');
  });

  // The request id is the bot's own (and must stay verbatim in the button value); everything else
  // on the card can come from the requester.
  it('escapes everything the requester typed', () => {
    const evil = makeRequest({
      keyPairName: '<!channel>',
      keyPairId: '<https://evil.example|click me>',
      region: '<!here>',
      instanceIds: ['i-aaaa1111', '<@U0ADMIN>', 'i-&amp;<!everyone>'],
      requesterId: '<!channel>',
    });
    for (const status of ['pending', 'done'] as const) {
      const card = render({ ...evil, status, decision: approved });
      const all = json(card);
      expect(all).toContain('&lt;!channel&gt;');
      for (const bad of ['<!channel>', '<!here>', '<!everyone>', '<https://evil', '<@U0ADMIN>']) {
        expect(all).not.toContain(bad);
      }
      expect(all).toContain('&amp;amp;');
      expectValid(card);
    }
  });

  // Issue 18: Volcengine's words reach the channel too (an API message, an instance status).
  it("escapes Volcengine's messages and instance statuses as the results thread does", () => {
    const hostile = '<!channel> & <https://evil.example|log in>';
    const preview = {
      readAt: CREATED,
      keyPairError: { code: 'Weird.Error', message: `key read failed ${hostile}` },
      instances: [
        {
          instanceId: 'i-aaaa1111',
          name: 'web',
          status: '<!here>',
          osType: 'Linux',
          tags: [],
        },
      ],
      unread: ['i-bbbb2222'],
      error: { code: 'Other.Error', message: `read failed ${hostile}` },
      problems: [],
    };
    const card = render(makeRequest({ instanceIds: ['i-aaaa1111', 'i-bbbb2222'], preview }));
    const all = json(card);
    for (const bad of ['<!channel>', '<!here>', '<https://evil']) expect(all).not.toContain(bad);
    expect(all).toContain(
      'key read failed &lt;!channel&gt; &amp; &lt;https://evil.example|log in&gt;',
    );
    expect(all).toContain('&lt;!here&gt;');
    expectValid(card);
  });

  it('truncates long instance lists with "and N more" within the section limit', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `i-${String(i).padStart(20, '0')}`);
    const card = render(makeRequest({ instanceIds: ids }));
    expectValid(card);
    const list = card.blocks.find((b) => b.block_id === 'card_instances');
    const text = list?.type === 'section' ? (list.text?.text ?? '') : '';
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.length).toBeGreaterThan(2500);
    const shown = text.match(/`i-\d+`/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(50);
    expect(text).toContain(
      `and ${(5000 - shown).toLocaleString('en-US')} more: \`/attach-key status req-abc123\` lists them all`,
    );
    expect(json(card)).toContain('5,000');
  });
});
