import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/lifecycle.js';
import { approverLists, matchRules, mayApprove, type PolicyRule } from '../../src/domain/policy.js';
import type { MutationRequest, Preview } from '../../src/domain/request.js';

// Issue 12's rule evaluation as tables: which rules match, how many approvals, who may approve
// (users, groups, unresolvable groups), self-approval and the quorum.

const prod: PolicyRule = {
  name: 'production',
  match: { tag: { key: 'env', value: 'prod' } },
  approvals: 2,
  approvers: ['S0LEADS', 'ULEAD9'],
};
const large: PolicyRule = { name: 'large', match: { instancesOver: 2 }, approvals: 3 };
const both: PolicyRule = {
  name: 'big-prod',
  match: { tag: { key: 'env', value: 'prod' }, instancesOver: 2 },
  approvals: 4,
};
const dbOwners: PolicyRule = {
  name: 'db',
  match: { tag: { key: 'role', value: 'db' } },
  approvals: 1,
  approvers: ['UDBA1'],
};

function preview(tags: Record<string, Array<[string, string]>>, unread: string[] = []): Preview {
  return {
    readAt: '2026-11-28T09:00:00.000Z',
    instances: Object.entries(tags).map(([instanceId, list]) => ({
      instanceId,
      name: instanceId,
      status: 'RUNNING',
      osType: 'Linux',
      tags: list.map(([key, value]) => ({ key, value })),
    })),
    unread,
    problems: [],
  };
}

describe('matchRules', () => {
  const prodTag: Array<[string, string]> = [['env', 'prod']];
  it.each([
    ['no rule matches', [prod, large], ['i-1'], preview({ 'i-1': [] }), 1, []],
    [
      'a tag on one instance',
      [prod, large],
      ['i-1', 'i-2'],
      preview({ 'i-1': [], 'i-2': prodTag }),
      2,
      ['production:tag'],
    ],
    [
      'size over the limit',
      [prod, large],
      ['i-1', 'i-2', 'i-3'],
      preview({ 'i-1': [], 'i-2': [], 'i-3': [] }),
      3,
      ['large:size'],
    ],
    [
      'both: the largest count wins',
      [prod, large],
      ['i-1', 'i-2', 'i-3'],
      preview({ 'i-1': prodTag, 'i-2': [], 'i-3': [] }),
      3,
      ['production:tag', 'large:size'],
    ],
    [
      'conditions of one rule all hold',
      [both],
      ['i-1', 'i-2', 'i-3'],
      preview({ 'i-1': prodTag, 'i-2': [], 'i-3': [] }),
      4,
      ['big-prod:tag'],
    ],
    ['one condition of a rule fails', [both], ['i-1'], preview({ 'i-1': prodTag }), 1, []],
    [
      'no preview: tag rules apply (fail closed)',
      [prod, large],
      ['i-1'],
      undefined,
      2,
      ['production:tags_unknown'],
    ],
    [
      'some instances unread: fail closed',
      [prod],
      ['i-1', 'i-2'],
      preview({ 'i-1': [] }, ['i-2']),
      2,
      ['production:tags_unknown'],
    ],
    [
      'every instance read, tag absent: no match',
      [prod],
      ['i-1', 'i-2'],
      preview({ 'i-1': [], 'i-2': [] }),
      1,
      [],
    ],
    [
      // Issue 19: not listed by a successful read (not found, paging stopped, a malformed entry).
      'an instance missing from a successful answer: fail closed',
      [prod],
      ['i-1', 'i-2'],
      preview({ 'i-1': [] }),
      2,
      ['production:tags_unknown'],
    ],
    [
      'a value that differs does not match',
      [prod],
      ['i-1'],
      preview({ 'i-1': [['env', 'staging']] }),
      1,
      [],
    ],
  ] as const)('%s', (_, rules, instanceIds, given, required, matched) => {
    const result = matchRules({ minApprovals: 1, rules }, { instanceIds, preview: given });
    expect(result.required).toBe(required);
    expect(result.rules.map((r) => `${r.name}:${r.reason}`)).toEqual(matched);
  });

  it('says why the tags are unknown: how many unread, how many missing from the answer', () => {
    const given = preview({ 'i-1': [] }, ['i-2']);
    given.problems = [{ kind: 'paging_stopped', pages: 50 }];
    const result = matchRules(
      { minApprovals: 1, rules: [prod, large] },
      { instanceIds: ['i-1', 'i-2', 'i-3', 'i-4'], preview: given },
    );
    expect(result.rules).toEqual([
      {
        name: 'production',
        approvals: 2,
        approvers: ['S0LEADS', 'ULEAD9'],
        reason: 'tags_unknown',
        unknownTags: { unread: 1, missing: 2 },
      },
      { name: 'large', approvals: 3, reason: 'size' },
    ]);
  });

  it('applies a restarts rule only to requests that restart, and with a tag only where it matches', () => {
    const reboots: PolicyRule = { name: 'reboots', match: { restarts: true }, approvals: 2 };
    const prodReboots: PolicyRule = {
      name: 'prod-reboots',
      match: { tag: { key: 'env', value: 'prod' }, restarts: true },
      approvals: 3,
    };
    const policy = { minApprovals: 1, rules: [reboots, prodReboots] };
    const staging = preview({ 'i-1': [['env', 'staging']] });
    expect(matchRules(policy, { instanceIds: ['i-1'], preview: staging })).toEqual({
      required: 1,
      rules: [],
    });
    expect(matchRules(policy, { instanceIds: ['i-1'], preview: staging, restarts: true })).toEqual({
      required: 2,
      rules: [{ name: 'reboots', approvals: 2, reason: 'restarts' }],
    });
    const prodRead = preview({ 'i-1': [['env', 'prod']] });
    expect(
      matchRules(policy, { instanceIds: ['i-1'], preview: prodRead, restarts: true }).rules,
    ).toEqual([
      { name: 'reboots', approvals: 2, reason: 'restarts' },
      { name: 'prod-reboots', approvals: 3, reason: 'tag' },
    ]);
  });

  it('never asks for fewer than MIN_APPROVALS', () => {
    expect(
      matchRules(
        { minApprovals: 3, rules: [prod] },
        { instanceIds: ['i-1'], preview: preview({ 'i-1': [['env', 'prod']] }) },
      ).required,
    ).toBe(3);
  });
});

describe('who may approve', () => {
  const members = (groups: Record<string, string[] | undefined>) => (id: string) =>
    groups[id] ? new Set(groups[id]) : undefined;
  const defaults = ['UAPP1', 'S0OPS'];
  const matched = (rules: PolicyRule[]) =>
    rules.map((r) => ({
      name: r.name,
      approvals: r.approvals,
      reason: 'tag' as const,
      ...(r.approvers ? { approvers: r.approvers } : {}),
    }));

  it.each([
    ['a default user', [], 'UAPP1', {}, 'ok'],
    ['a member of a default group', [], 'UOPS1', { S0OPS: ['UOPS1'] }, 'ok'],
    ['someone on no list', [], 'UOTHER', { S0OPS: ['UOPS1'] }, 'not_listed'],
    [
      'a default group Slack cannot resolve',
      [],
      'UOPS1',
      { S0OPS: undefined },
      'groups_unresolved',
    ],
    [
      'a default user is out once a rule names approvers',
      [prod],
      'UAPP1',
      { S0LEADS: ['ULEAD1'] },
      'not_listed',
    ],
    ['a rule group member', [prod], 'ULEAD1', { S0LEADS: ['ULEAD1'] }, 'ok'],
    ['a rule user', [prod], 'ULEAD9', { S0LEADS: undefined }, 'ok'],
    [
      'an unresolvable rule group, user not named',
      [prod],
      'ULEAD1',
      { S0LEADS: undefined },
      'groups_unresolved',
    ],
    [
      'two rules naming approvers: must be on both',
      [prod, dbOwners],
      'ULEAD1',
      { S0LEADS: ['ULEAD1'] },
      'not_listed',
    ],
    [
      'two rules naming approvers: on both',
      [prod, dbOwners],
      'UDBA1',
      { S0LEADS: ['UDBA1'] },
      'ok',
    ],
    ['a rule without approvers keeps the defaults', [large], 'UAPP1', {}, 'ok'],
  ] as Array<[string, PolicyRule[], string, Record<string, string[] | undefined>, string]>)(
    '%s',
    (_, rules, user, groups, expected) => {
      const lists = approverLists(matched([...rules]), defaults);
      const verdict = mayApprove(lists, user, members(groups));
      expect(verdict.ok ? 'ok' : verdict.reason).toBe(expected);
    },
  );
});

describe('decide: quorum and self-approval', () => {
  const base: MutationRequest = {
    id: 'ak-1',
    kind: 'attach',
    status: 'pending',
    requesterId: 'UREQ',
    channelId: 'C0',
    region: 'cn-beijing',
    instanceIds: ['i-1'],
    fingerprint: 'f',
    createdAt: '2026-11-28T09:00:00.000Z',
    expiresAt: '2026-11-28T10:00:00.000Z',
    approval: { required: 2, rules: [], approvals: [] },
    steps: [],
  };
  const now = new Date('2026-11-28T09:10:00.000Z');
  const click = (
    request: MutationRequest,
    userId: string,
    allowSelfApproval = false,
    allowed = true,
  ) => decide(request, { kind: 'approve', userId, now, allowed, allowSelfApproval });

  it.each([
    ['first of two approvals counts, not complete', base, 'UAPP1', false, true, 'counted'],
    [
      'second distinct approval completes',
      { ...base, approval: { ...base.approval, approvals: [{ by: 'UAPP1', at: 'x' }] } },
      'UAPP2',
      false,
      true,
      'approved',
    ],
    [
      'the same approver again is refused',
      { ...base, approval: { ...base.approval, approvals: [{ by: 'UAPP1', at: 'x' }] } },
      'UAPP1',
      false,
      true,
      'already_approved_by_you',
    ],
    ['the requester, self-approval off', base, 'UREQ', false, true, 'self_approval'],
    ['the requester, self-approval on, counts', base, 'UREQ', true, true, 'counted'],
    ['someone not allowed', base, 'UOTHER', false, false, 'not_approver'],
    ['after expiry', base, 'UAPP1', false, true, 'expired', new Date('2026-11-28T10:00:00.000Z')],
  ] as Array<[string, MutationRequest, string, boolean, boolean, string, Date?]>)(
    '%s',
    (_, request, user, self, allowed, expected, at = now) => {
      const result = decide(request, {
        kind: 'approve',
        userId: user,
        now: at,
        allowed,
        allowSelfApproval: self,
      });
      const got = !result.ok
        ? result.refusal.reason
        : result.completed
          ? result.request.status
          : 'counted';
      expect(got).toBe(expected);
    },
  );

  it('a rejection by an allowed approver ends the request whatever the count', () => {
    const result = decide(base, {
      kind: 'reject',
      userId: 'UAPP1',
      now,
      allowed: true,
      allowSelfApproval: false,
    });
    expect(result).toMatchObject({
      ok: true,
      completed: true,
      request: { status: 'rejected', decision: { by: 'UAPP1' } },
    });
    expect(click(base, 'UAPP1').ok).toBe(true);
  });
});
