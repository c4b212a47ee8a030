import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { ParseNote, ParseProblem } from '../../src/domain/parse.js';
import { KNOWN_REGIONS } from '../../src/domain/regions.js';
import type { MutationRequest, RequestStatus } from '../../src/domain/request.js';
import { SANDBOX_FACTS } from '../../src/sandbox/fleet.js';
import { en } from '../../src/slack/i18n/en.js';
import type { Catalogue } from '../../src/slack/i18n/index.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { renderApprovalCard } from '../../src/slack/render/approval-card.js';
import { renderHome } from '../../src/slack/render/home.js';
import {
  findLimitViolations,
  findViewLimitViolations,
  SLACK_LIMITS,
  type SlackReply,
} from '../../src/slack/render/limits.js';
import {
  renderNotes,
  renderParseError,
  renderReminder,
  renderRequesterNote,
  renderUsage,
} from '../../src/slack/render/messages.js';
import { describeModalErrors } from '../../src/slack/render/parse-problems.js';
import { type Refusal, renderRefusal } from '../../src/slack/render/refusals.js';
import { renderResults } from '../../src/slack/render/results.js';
import { renderHistory, renderStatus } from '../../src/slack/render/status.js';
import { APPROVERS, KINDS, makeRequest, STATUSES, T } from './i18n-fixtures.js';

// Every message kind the bot writes, in both languages, within Slack's limits (issue 13).
// Lengths are JS string lengths, i.e. UTF-16 code units. Slack counts characters; every CJK
// character the catalogues use is in the BMP, one code unit each, so Chinese is measured in
// characters as Slack does (an astral emoji would count 2 here: stricter, never looser).

const LANGUAGES: [string, Catalogue][] = [
  ['en', en],
  ['zh', zh],
];
const HAN = /\p{Script=Han}/u;
// The API's own message for a code the catalogue does not know.
const KNOWN_ENGLISH = ['Something odd happened.'];
/** Two English words in a row, or one of the bot's own English words. */
const ENGLISH = /\b[a-z]{2,}[ ,]+[a-z]{2,}\b|\b(the|instances?|approv(e|al|ed)|requests?|failed)\b/;

/** What a reader sees, without code spans, quotes, mentions, links and bold codes. */
const words = (text: string) =>
  KNOWN_ENGLISH.reduce((s, known) => s.replaceAll(known, ''), text)
    .replace(/`[^`]*`/g, '')
    // command syntax in help and hints: /attach-key status …, up to the next Chinese word
    .replace(/\/attach-key[^\p{Script=Han}]*/gu, '')
    .replace(/"[^"]*"/g, '')
    .replace(/<[^<>]*>/g, '')
    .replace(/\*[A-Za-z.]+\*/g, '');

function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'text' || typeof v === 'object' ? textsOf(v) : [],
    );
  }
  return [];
}

function expectReadable(label: string, t: Catalogue, value: unknown) {
  const json = JSON.stringify(value);
  expect(json, label).not.toMatch(/undefined|NaN|\[object Object\]/);
  for (const format of json.matchAll(/<!date\^\d+\^([^|]*)\|/g)) {
    expect(format[1], label).toBe(t.date.format);
  }
  if (t === zh) {
    for (const text of textsOf(value).filter((s) => s.trim())) {
      const shown = words(text);
      expect(shown, `${label}: ${text}`).not.toMatch(ENGLISH);
    }
    expect(json, label).toMatch(HAN);
  }
}

function check(label: string, t: Catalogue, message: SlackReply) {
  expect(findLimitViolations(message), label).toEqual([]);
  expectReadable(label, t, message);
}

function checkView(label: string, t: Catalogue, view: types.HomeView) {
  expect(findViewLimitViolations(view), label).toEqual([]);
  expectReadable(label, t, view);
}

const LONG = `${'生'.repeat(39)}…`;

/** One of each problem kind (a missing kind is a compile error), with long tokens. */
const PROBLEMS: { [K in ParseProblem['kind']]: Extract<ParseProblem, { kind: K }> } = {
  too_long: { kind: 'too_long', length: 123_456, limit: 100_000 },
  markup: { kind: 'markup', token: '<!channel>' },
  wide_characters: { kind: 'wide_characters', token: 'ｉ－ａｂｃｄ１２３４', ascii: 'i-abcd1234' },
  status_needs_id: { kind: 'status_needs_id' },
  extra_word: { kind: 'extra_word', token: LONG, command: 'status' },
  bad_request_id: { kind: 'bad_request_id', token: '$(id)' },
  bad_history_count: { kind: 'bad_history_count', token: '51', max: 50, defaultLimit: 10 },
  not_an_option: { kind: 'not_an_option', token: 'foo=bar', named: true },
  option_twice: { kind: 'option_twice', token: LONG, name: 'key', first: LONG },
  empty_value: { kind: 'empty_value', token: 'region=', name: 'region' },
  unknown_region: { kind: 'unknown_region', token: 'region=mars-1', regions: KNOWN_REGIONS },
  bad_key_pair_id: {
    kind: 'bad_key_pair_id',
    token: 'key-id=KP-ABCD1234',
    fix: 'key-id=kp-abcd1234',
  },
  bad_key_pair_name: { kind: 'bad_key_pair_name', token: 'key="prod"', fix: 'key=prod' },
  lower_case_id: { kind: 'lower_case_id', token: 'I-ABCD1234', fix: 'i-abcd1234' },
  option_needs_value: { kind: 'option_needs_value', token: 'key-id', name: 'key-id' },
  key_pair_id_alone: { kind: 'key_pair_id_alone', token: 'kp-abcd1234', fix: 'key-id=kp-abcd1234' },
  region_alone: { kind: 'region_alone', token: 'cn-shanghai', fix: 'region=cn-shanghai' },
  id_with_extras: { kind: 'id_with_extras', token: '(i-abcd1234)', fix: 'i-abcd1234' },
  not_an_id: { kind: 'not_an_id', token: '🚀', orOption: true },
  missing: { kind: 'missing', instanceIds: true, keyPair: true },
  too_many_ids: { kind: 'too_many_ids', count: 600, given: 1000, limit: 500 },
  option_in_instances: { kind: 'option_in_instances', token: 'key=prod' },
  no_instances: { kind: 'no_instances' },
  nothing_picked: { kind: 'nothing_picked' },
  key_pair_not_picked: { kind: 'key_pair_not_picked' },
  key_pair_empty: { kind: 'key_pair_empty' },
  key_pair_space: { kind: 'key_pair_space', token: 'my key' },
  key_pair_prefixed: { kind: 'key_pair_prefixed', token: 'key-id=kp-abcd1234', prefix: 'key-id=' },
  key_pair_id_case: { kind: 'key_pair_id_case', token: 'KP-ABCD1234', fix: 'kp-abcd1234' },
  key_pair_id_shape: { kind: 'key_pair_id_shape', token: 'kp-my_key' },
  selector_empty: { kind: 'selector_empty', token: 'tag:', selector: 'tag' },
  tag_empty_value: { kind: 'tag_empty_value', token: 'tag:env=', fix: 'tag:env' },
  bad_tag: { kind: 'bad_tag', token: LONG, part: 'value', limit: 256 },
  bad_holding: { kind: 'bad_holding', token: 'holding:KP-ABCD1234', fix: 'holding:kp-abcd1234' },
  selector_twice: { kind: 'selector_twice', token: 'tag:env=prod', first: 'tag:env=staging' },
  too_many_tags: { kind: 'too_many_tags', count: 11, limit: 10 },
  ids_and_selectors: { kind: 'ids_and_selectors', id: 'i-abcd1234', selector: 'tag:env=prod' },
  picked_and_selector: { kind: 'picked_and_selector' },
  bad_then: { kind: 'bad_then', token: 'then=reboot', accepted: ['restart'] },
  import_usage: { kind: 'import_usage', missing: 'key' },
  bad_public_key: {
    kind: 'bad_public_key',
    problem: { reason: 'rsa_too_short', bits: 1024, min: 2048 },
  },
  unknown_account: { kind: 'unknown_account', token: LONG, names: ['prod', 'staging'] },
  account_required: { kind: 'account_required', names: ['prod', 'staging'] },
  account_not_for_channel: { kind: 'account_not_for_channel', asked: 'staging', mapped: 'prod' },
  region_not_in_account: {
    kind: 'region_not_in_account',
    token: LONG,
    account: 'prod',
    regions: ['cn-beijing', 'cn-shanghai'],
  },
};

const NOTES: ParseNote[] = [
  { kind: 'duplicates_removed', count: 3 },
  { kind: 'key_id_wins', keyPairId: 'kp-abcd1234', keyPairName: 'prod' },
  { kind: 'key_read_as_name', keyPairName: 'kp-abcd1234' },
];

const approved = { kind: 'approved' as const, by: 'U0APP0002', at: T.decided };
const REFUSALS: Refusal[] = [
  { reason: 'not_approver' },
  { reason: 'self_approval' },
  { reason: 'already_approved_by_you', approvals: 1, required: 2 },
  ...(['approved', 'executing', 'done', 'failed'] as const).map(
    (status): Refusal => ({ reason: 'already_decided', decision: approved, status }),
  ),
  { reason: 'already_decided', decision: { ...approved, kind: 'rejected' }, status: 'rejected' },
  { reason: 'already_decided', decision: { kind: 'expired', at: T.expires }, status: 'expired' },
  { reason: 'expired', expiresAt: T.expires },
  { reason: 'unknown_request', requestId: 'ak-nope' },
  { reason: 'unknown_request' },
  { reason: 'shutting_down' },
  { reason: 'storage_unavailable' },
  { reason: 'approvers_unresolved', groups: ['S0SREGRP1', 'S0OPSGRP2'] },
  { reason: 'channel_not_allowed', allowedChannelIds: ['C0OPS0001', 'C0SRE0002'] },
  { reason: 'channel_not_allowed' },
  { reason: 'requester_not_allowed' },
  { reason: 'too_many_instances', count: 600, limit: 500 },
  { reason: 'too_many_instances', limit: 500 },
  { reason: 'bot_not_in_channel' },
  { reason: 'post_failed', detail: 'msg_too_long' },
  { reason: 'post_failed' },
  { reason: 'unknown_key_pair', region: 'cn-beijing', keyPair: 'opskey', suggestions: ['ops-key'] },
  { reason: 'unknown_key_pair', region: 'cn-beijing', keyPair: 'x', suggestions: [] },
  { reason: 'already_requested', existing: makeRequest('restart', 'pending', 3) },
  { reason: 'already_requested', existing: makeRequest('undo', 'executing', 3) },
  { reason: 'not_finished' },
  { reason: 'nothing_to_do', kind: 'restart' },
  { reason: 'nothing_to_do', kind: 'undo' },
  { reason: 'undo_window_closed', closedAt: T.expires },
  { reason: 'undo_not_offered' },
  // Issue 19.
  { reason: 'other_mode', mode: 'sandbox' },
  { reason: 'other_mode', mode: 'live' },
  {
    reason: 'approvers_unresolved',
    groups: ['S0SREGRP1'],
    stale: { groups: ['S0SREGRP1'], afterMinutes: 30 },
  },
  {
    reason: 'too_many_open',
    limit: 5,
    open: Array.from({ length: 25 }, (_, i) =>
      makeRequest('attach', 'pending', 3, { id: `ak-open${i}` }),
    ),
  },
  { reason: 'no_instances_found', region: 'cn-beijing', count: 1 },
  { reason: 'no_instances_found', region: 'cn-beijing', count: 600 },
  { reason: 'cancelled', by: 'U0REQUEST1', at: T.decided },
  { reason: 'not_requester', requesterId: 'U0REQUEST1' },
  { reason: 'not_cancellable', status: 'executing' },
  { reason: 'already_requested', existing: makeRequest('apply', 'done', 3) },
  { reason: 'nothing_to_do', kind: 'apply' },
  { reason: 'apply_not_offered' },
  { reason: 'public_key_unknown', region: 'cn-beijing', keyPairName: 'ops-key' },
  { reason: 'public_key_unknown', region: 'cn-beijing', keyPairId: 'kp-ops00001' },
  { reason: 'public_key_mismatch', keyPairName: 'ops-key', known: 'aa:bb', bound: 'cc:dd' },
];

/** Every way a request ends unsent (issue 19), and a cancelled one. */
const STOPPED: Array<[RequestStatus, Partial<MutationRequest>]> = [
  ['voided', { stopped: { reason: 'other_mode', mode: 'sandbox', at: T.finished } }],
  ['voided', { stopped: { reason: 'other_mode', mode: 'live', at: T.finished } }],
  [
    'expired',
    {
      stopped: {
        reason: 'approval_lapsed',
        approvedAt: T.decided,
        ttlMinutes: 60,
        at: T.finished,
      },
    },
  ],
  ['expired', { stopped: { reason: 'undo_window_closed', closedAt: T.decided, at: T.finished } }],
  [
    'failed',
    {
      stopped: {
        reason: 'key_pair_changed',
        approved: { keyPairId: 'kp-ops00001', keyPairName: 'ops-key', fingerprint: 'aa:bb' },
        found: { keyPairId: 'kp-ops00001', keyPairName: 'ops-key-old', fingerprint: 'cc:dd' },
        at: T.finished,
      },
    },
  ],
  [
    'failed',
    {
      stopped: {
        reason: 'key_pair_changed',
        approved: { keyPairId: 'kp-ops00001', keyPairName: 'ops-key' },
        at: T.finished,
      },
    },
  ],
  [
    'failed',
    {
      stopped: {
        reason: 'key_pair_unreadable',
        keyPair: 'ops-key',
        error: { code: 'AccessDenied', message: 'no', call: 'ecs:DescribeKeyPairs' },
        at: T.finished,
      },
    },
  ],
  ['cancelled', { cancelled: { by: 'U0REQUEST1', at: T.decided } }],
];

describe.each(LANGUAGES)('every message in %s', (_lang, t) => {
  const now = new Date(T.finished);

  it('approval cards: every kind and status, 3 and 600 instances, sandbox too', () => {
    for (const kind of KINDS) {
      for (const status of STATUSES) {
        for (const n of [3, 600]) {
          const r = makeRequest(kind, status, n);
          const label = `${kind} ${status} ${n}`;
          check(label, t, renderApprovalCard(r, { t, sandbox: false, approvers: APPROVERS, now }));
          check(
            `${label} sandbox`,
            t,
            renderApprovalCard(r, { t, sandbox: true, approvers: APPROVERS }),
          );
        }
      }
      const lapsed = makeRequest(kind, 'pending', 3);
      const late = new Date(Date.parse(T.expires) + 1000);
      check(
        `${kind} lapsed`,
        t,
        renderApprovalCard(lapsed, { t, sandbox: false, approvers: APPROVERS, now: late }),
      );
    }
  });

  it('results threads: every kind, with failures, for 3, 600 and 5,000 instances', () => {
    for (const kind of KINDS) {
      for (const status of ['done', 'failed'] as const) {
        for (const n of [3, 600, 5000]) {
          for (const sandbox of [false, true]) {
            const messages = renderResults(makeRequest(kind, status, n), {
              t,
              sandbox,
              now,
              undoWindowHours: 24,
              publicKeyKnown: true,
            });
            expect(messages.length).toBeGreaterThan(0);
            for (const [i, m] of messages.entries()) check(`${kind} ${status} ${n} #${i}`, t, m);
          }
        }
      }
    }
  });

  it('every refusal, with and without usage', () => {
    for (const refusal of REFUSALS) {
      check(refusal.reason, t, renderRefusal(refusal, t));
      check(
        `${refusal.reason} bot`,
        t,
        renderRefusal(refusal, t, { botUserId: 'U0BOT0001', usage: renderUsage(t).text }),
      );
    }
  });

  it('status, history, DMs and the reminder', () => {
    check('status unknown', t, renderStatus('ak-nope', undefined, t)[0] as SlackReply);
    for (const kind of KINDS) {
      for (const status of STATUSES) {
        for (const n of [3, 600]) {
          const request = makeRequest(kind, status, n);
          for (const [i, m] of renderStatus(
            request.id,
            { request, archived: n > 3 },
            t,
          ).entries()) {
            check(`status ${kind} ${status} ${n} ${i}`, t, m);
          }
        }
        const request = makeRequest(kind, status, 3);
        for (const news of ['approved', 'rejected', 'expired', 'results'] as const) {
          check(
            `dm ${kind} ${news}`,
            t,
            renderRequesterNote(request, news, t, 'https://x.slack.com/archives/C0OPS0001/p1'),
          );
          check(`dm ${kind} ${news} no link`, t, renderRequesterNote(request, news, t));
        }
      }
    }
    const all = KINDS.flatMap((kind) => STATUSES.map((status) => makeRequest(kind, status, 3)));
    check('history', t, renderHistory([...all, ...all, ...all].slice(0, 50), t));
    check('history empty', t, renderHistory([], t));
    const many = Array.from({ length: 40 }, (_, i) => `U0APP${String(i).padStart(4, '0')}`);
    check('reminder', t, renderReminder(makeRequest('attach', 'pending', 3), many, t));
    check('reminder nobody', t, renderReminder(makeRequest('attach', 'pending', 3), [], t));
  });

  it('requests that ended unsent or were cancelled: card, thread, status, history, DM, home', () => {
    for (const kind of KINDS) {
      for (const [status, extra] of STOPPED) {
        const r = makeRequest(kind, status, 3, {
          ...extra,
          card: { channel: 'C0OPS0001', ts: '1.0' },
        });
        const label = `${kind} ${status} ${r.stopped?.reason ?? 'cancelled'}`;
        const card = renderApprovalCard(r, { t, sandbox: false, approvers: APPROVERS, now });
        check(label, t, card);
        expect(JSON.stringify(card), label).not.toContain('approve_request');
        for (const m of renderResults(r, { t, sandbox: false, now, undoWindowHours: 24 }))
          check(`${label} thread`, t, m);
        check(`${label} status`, t, renderStatus(r.id, { request: r }, t)[0] as SlackReply);
        check(`${label} dm`, t, renderRequesterNote(r, 'results', t));
      }
    }
    const all = STOPPED.map(([status, extra]) => makeRequest('attach', status, 3, extra));
    check('history', t, renderHistory(all, t));
    checkView('home', t, renderHome({ waiting: [], mine: all, t, now }));
    // A tag rule applied for unknown tags, and an undo that leaves re-keyed instances alone.
    const r = makeRequest('undo', 'pending', 3, {
      approval: {
        required: 2,
        approvals: [],
        rules: [
          {
            name: 'prod',
            approvals: 2,
            reason: 'tags_unknown',
            unknownTags: { unread: 1, missing: 2 },
          },
        ],
      },
      excluded: [
        { instanceId: 'i-rot00001', reason: 'key_changed_since' },
        { instanceId: 'i-unk00001', reason: 'key_unknown_now' },
      ],
    });
    check('undo left alone', t, renderApprovalCard(r, { t, sandbox: false, approvers: APPROVERS }));
  });

  it('App Home, busy and empty', () => {
    const waiting = Array.from({ length: 35 }, (_, i) =>
      makeRequest(KINDS[i % 3] ?? 'attach', 'pending', 600, { id: `ak-wait-${i}` }),
    );
    const mine = KINDS.flatMap((kind) =>
      STATUSES.flatMap((status) => [3, 600].map((n) => makeRequest(kind, status, n))),
    );
    checkView('home', t, renderHome({ waiting, mine: [...mine, ...mine].slice(0, 50), t, now }));
    checkView('home empty', t, renderHome({ waiting: [], mine: [], t, now }));
  });

  it('help, parse errors, notes and the modal’s field errors', () => {
    const regions = [...KNOWN_REGIONS, 'cn-beijing-autodriving'];
    check('help', t, renderUsage(t, { regions }));
    check('sandbox help', t, renderUsage(t, { regions, appendix: SANDBOX_FACTS }));
    for (const problem of Object.values(PROBLEMS)) {
      check(problem.kind, t, renderParseError({ problem, more: 0 }, t, { regions }));
      check(`${problem.kind} more`, t, renderParseError({ problem, more: 12_345 }, t));
      const modal = describeModalErrors({ instances: { problem, more: 3 } }, t);
      expect(modal.instances?.length ?? 0, problem.kind).toBeLessThan(SLACK_LIMITS.inputHint);
      expectReadable(`modal ${problem.kind}`, t, modal.instances);
    }
    check('notes', t, renderNotes(NOTES, t));
    check('modal failed', t, {
      text: t.messages.modalFailed('expired_trigger_id', renderUsage(t).text),
    });
    check('unexpected', t, { text: t.messages.unexpected });
  });
});

describe('Chinese in context', () => {
  it('counts a CJK character as one, as Slack does', () => {
    expect('实例'.length).toBe(2);
    expect(Array.from('密钥对').length).toBe('密钥对'.length);
  });

  it('reads naturally on a 3-instance card and a results thread with failures', () => {
    const card = renderApprovalCard(makeRequest('attach', 'pending', 3), {
      t: zh,
      sandbox: false,
      approvers: APPROVERS,
    });
    const text = JSON.stringify(card.blocks);
    expect(card.blocks[0]).toMatchObject({ text: { text: '绑定密钥对：待审批' } });
    expect(text).toContain('*3 台实例*');
    expect(text).toContain('`i-inst00002` 在该地域不存在');
    expect(text).toContain('{date_short_pretty} {time}');
    const [thread] = renderResults(makeRequest('attach', 'done', 8), {
      t: zh,
      sandbox: false,
      now: new Date(T.finished),
      undoWindowHours: 24,
    });
    const body = JSON.stringify(thread?.blocks);
    expect(body).toContain('*InvalidInstanceStatus* — 实例必须处于运行中或已停止状态');
    expect(body).toContain('台失败');
  });
});
