import { describe, expect, it } from 'vitest';
import type { InstanceOutcome, MutationRequest, Step } from '../../src/domain/request.js';
import { en } from '../../src/slack/i18n/en.js';
import {
  findLimitViolations,
  measureBlockText,
  type SlackMessage,
} from '../../src/slack/render/limits.js';
import { type ResultsOptions, renderResults as render } from '../../src/slack/render/results.js';

const NOW = new Date('2026-11-01T10:06:00.000Z');
const renderResults = (request: MutationRequest, options: Partial<ResultsOptions> = {}) =>
  render(request, { t: en, sandbox: false, now: NOW, undoWindowHours: 24, ...options });

type Plan = 'ok' | 'status' | 'agent' | 'unknown';

/** `count` instances in batches of 100; batch `failBatch` fails at request level. */
function makeRequest(count: number, options: { failBatch?: number; allFail?: boolean } = {}) {
  const ids = Array.from({ length: count }, (_, i) => `i-${String(i).padStart(8, '0')}x`);
  const plan = (i: number): Plan =>
    options.allFail
      ? 'status'
      : i % 7 === 3
        ? 'status'
        : i % 11 === 5
          ? 'agent'
          : i % 97 === 1
            ? 'unknown'
            : 'ok';
  const batches: Step[] = [];
  for (let start = 0, index = 0; start < count; start += 100, index++) {
    const chunk = ids.slice(start, start + 100);
    if (index === options.failBatch) {
      batches.push({
        index,
        phase: 0,
        action: 'AttachKeyPair',
        clientToken: `req-1-${index}`,
        instanceIds: chunk,
        state: 'failed',
        sendCount: 2,
        error: {
          code: 'InternalError',
          message: 'An internal error has occurred.',
          requestId: `RID-${index}`,
        },
      });
      continue;
    }
    const outcomes: InstanceOutcome[] = chunk.map((instanceId, j) => {
      const p = plan(start + j);
      if (p === 'ok') return { instanceId, ok: true };
      if (p === 'status') {
        return {
          instanceId,
          ok: false,
          code: 'InvalidInstanceStatus',
          message: 'The status of the specified instance does not support this request.',
        };
      }
      if (p === 'agent') {
        return {
          instanceId,
          ok: false,
          code: 'InvalidResetAuthenticationAgent.NotFound',
          message: 'agent missing',
        };
      }
      return {
        instanceId,
        ok: false,
        code: 'Weird.<!channel>',
        message: 'weird <!channel> & <https://x|y>',
      };
    });
    batches.push({
      index,
      phase: 0,
      action: 'AttachKeyPair',
      clientToken: `req-1-${index}`,
      instanceIds: chunk,
      state: 'done',
      sendCount: 1,
      apiRequestId: `RID-${index}`,
      outcomes,
    });
  }
  const request: MutationRequest = {
    id: 'req-1',
    kind: 'attach',
    fingerprint: 'f00d-f00d-f00d',
    approval: { required: 1, rules: [], approvals: [] },
    status: options.failBatch === undefined ? 'done' : 'failed',
    requesterId: 'U01REQUESTER',
    channelId: 'C01CHANNEL',
    instanceIds: ids,
    keyPairName: 'ops',
    region: 'cn-beijing',
    createdAt: '2026-11-01T10:00:00.000Z',
    expiresAt: '2026-11-01T11:00:00.000Z',
    decision: { kind: 'approved', by: 'U02APPROVER', at: '2026-11-01T10:05:00.000Z' },
    steps: batches,
  };
  const expected = new Map<string, 'ok' | 'failed' | 'skipped'>();
  ids.forEach((id, i) => {
    const failedBatch = Math.floor(i / 100) === options.failBatch;
    expected.set(id, failedBatch ? 'skipped' : plan(i) === 'ok' ? 'ok' : 'failed');
  });
  return { request, ids, expected };
}

const sectionTexts = (m: SlackMessage) =>
  m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

const LINE = /^(✅|❌|⚠️|⏳) `(i-[^`]+)`/u;
const REMINDER = /^🔁 \*Restart/u;

/** Every `<…>` left in the output is a mention or date token the bot made on purpose. */
function expectOnlySafeTokens(message: unknown) {
  const tokens = JSON.stringify(message).match(/<[^<>]*>/g) ?? [];
  for (const token of tokens) {
    expect(token).toMatch(
      /^<(@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\dT:.Z-]+)>$/,
    );
  }
}

/** Independent of the renderer's own checker: counts straight from the JSON. */
function assertWithinSlackLimits(message: SlackMessage) {
  expectOnlySafeTokens(message);
  expect(findLimitViolations(message)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  let total = 0;
  JSON.stringify(message.blocks, (key, value) => {
    if (key === 'text' && typeof value === 'string') total += value.length;
    return value;
  });
  expect(total).toBeLessThanOrEqual(11_000);
  expect(measureBlockText(message.blocks)).toBe(total);
  for (const text of sectionTexts(message)) {
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThanOrEqual(3000);
  }
  const ids = message.blocks.map((b) => b.block_id);
  expect(new Set(ids).size).toBe(ids.length);
}

function analyse(messages: SlackMessage[]) {
  const lines = new Map<string, { kind: string; line: string; count: number }>();
  const all = messages.flatMap(sectionTexts);
  const reminderStart = all.findIndex((t) => REMINDER.test(t));
  const reminderIds: string[] = [];
  all.forEach((text, i) => {
    if (reminderStart >= 0 && i >= reminderStart) {
      reminderIds.push(...[...text.matchAll(/`(i-[^`]+)`/g)].map((m) => m[1] as string));
      return;
    }
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const id = m[2] as string;
      const seen = lines.get(id);
      lines.set(id, { kind: m[1] as string, line, count: (seen?.count ?? 0) + 1 });
    }
  });
  return { lines, all, reminderStart, reminderIds };
}

describe('renderResults', () => {
  it.each([2, 250, 5000])('renders %i instances within Slack limits, each once', (count) => {
    const { request, ids, expected } = makeRequest(count, {
      failBatch: count > 100 ? 1 : undefined,
    });
    const messages = renderResults(request);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) assertWithinSlackLimits(m);

    const { lines, all, reminderStart, reminderIds } = analyse(messages);
    // every instance has exactly one line, and it says the right thing
    expect(lines.size).toBe(ids.length);
    for (const id of ids) {
      const line = lines.get(id);
      expect(line?.count).toBe(1);
      const want = expected.get(id);
      if (want === 'ok') expect(line?.line).toMatch(/^✅ `i-\d+x` ok$/u);
      if (want === 'failed') expect(line?.line).toMatch(/^❌ `i-\d+x` \*\S+\* — .{10,}/u);
      if (want === 'skipped') {
        expect(line?.line).toMatch(/^⚠️ `i-\d+x` unconfirmed: \*InternalError\* — /u);
      }
    }

    // totals first
    const okCount = [...expected.values()].filter((v) => v === 'ok').length;
    const failCount = [...expected.values()].filter((v) => v === 'failed').length;
    const skipCount = [...expected.values()].filter((v) => v === 'skipped').length;
    expect(all[0]).toContain(
      `✅ ${okCount.toLocaleString('en-US')} succeeded · ❌ ${failCount.toLocaleString('en-US')} failed · ⚠️ ${skipCount.toLocaleString('en-US')} unconfirmed`,
    );
    expect(all[0]).toContain('req-1');
    expect(messages[0]?.text).toContain(
      `${okCount.toLocaleString('en-US')} succeeded · ${failCount.toLocaleString('en-US')} failed · ${skipCount.toLocaleString('en-US')} unconfirmed`,
    );

    // the RequestIds are there
    const joined = all.join('\n');
    for (let b = 0; b < Math.ceil(count / 100); b++) expect(joined).toContain(`\`RID-${b}\``);

    // the reminder comes last and names exactly the instances that succeeded
    expect(reminderStart).toBeGreaterThan(0);
    const okIds = ids.filter((id) => expected.get(id) === 'ok');
    expect(reminderIds).toEqual(okIds);
    const lastMessage = messages.at(-1) as SlackMessage;
    // The follow-up buttons ride on the first message; the reminder is the last section.
    const lastBlock = lastMessage.blocks.filter((b) => b.type !== 'actions').at(-1);
    expect(lastBlock?.type).toBe('section');
    expect(all.slice(reminderStart).every((t) => /^🔁/u.test(t))).toBe(true);
    expect(lastMessage.text).toMatch(/Restart the [\d,]+ instances? that got the key pair/);

    if (messages.length > 1) {
      messages.forEach((m, i) => {
        expect(m.text).toContain(`(part ${i + 1} of ${messages.length})`);
      });
    }
  });

  it('packs 5,000 instances into a reasonable number of messages', () => {
    const { request } = makeRequest(5000);
    const messages = renderResults(request);
    const used = messages.map((m) => measureBlockText(m.blocks));
    // every message but the last is reasonably full: no message wasted on a few lines
    for (const n of used.slice(0, -1)) expect(n).toBeGreaterThan(7000);
    expect(messages.length).toBeLessThan(60);
  });

  it('offers "Ask again" with the failed and unconfirmed count, only when some did not bind', () => {
    const button = (messages: SlackMessage[]) =>
      messages
        .flatMap((m) => m.blocks)
        .flatMap((b) => (b.type === 'actions' ? b.elements : []))
        .find((e) => e.type === 'button' && e.action_id === 'retry_failed');
    const { request, expected } = makeRequest(250, { failBatch: 1 });
    const notBound = [...expected.values()].filter((v) => v !== 'ok').length;
    expect(button(renderResults(request))).toMatchObject({
      value: 'req-1',
      text: { text: `Ask again for the ${notBound} failed…` },
    });
    const allOk = makeRequest(3, {}).request;
    allOk.steps = allOk.steps.map((s) => ({
      ...s,
      outcomes: s.instanceIds.map((instanceId) => ({ instanceId, ok: true })),
    }));
    expect(button(renderResults(allOk))).toBeUndefined();
    expect(button(renderResults({ ...request, kind: 'restart' }))).toBeUndefined();
  });

  it('puts failures before successes', () => {
    const { request } = makeRequest(30);
    const { all } = analyse(renderResults(request));
    const lines = all.flatMap((t) => t.split('\n')).filter((l) => LINE.test(l));
    const firstOk = lines.findIndex((l) => l.startsWith('✅'));
    const lastFail = lines.findLastIndex((l) => l.startsWith('❌'));
    expect(lastFail).toBeLessThan(firstOk);
  });

  it('says nothing needs restarting when nothing succeeded', () => {
    const { request } = makeRequest(5, { allFail: true });
    const messages = renderResults(request);
    expect(messages).toHaveLength(1);
    const texts = sectionTexts(messages[0] as SlackMessage);
    expect(texts.at(-1)).toMatch(/Nothing needs restarting/);
    expect(texts.join('\n')).not.toContain('🔁');
    expect(messages[0]?.text).not.toMatch(/Restart/);
  });

  it('explains codes in plain words and escapes what the API said', () => {
    const { request } = makeRequest(12);
    const json = JSON.stringify(renderResults(request));
    expect(json).toContain('*InvalidInstanceStatus* — the instance must be Running or Stopped');
    expect(json).toContain('password plug-in');
    expect(json).toContain(
      '*Weird.&lt;!channel&gt;* — weird &lt;!channel&gt; &amp; &lt;https://x|y&gt;',
    );
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://x');
  });

  it('names the refused call of an AccessDenied: the step that failed, or the read-back', () => {
    const { request } = makeRequest(2);
    const ids = request.instanceIds;
    const refused: MutationRequest = {
      ...request,
      status: 'failed',
      steps: [
        {
          index: 0,
          phase: 0,
          action: 'AttachKeyPair',
          instanceIds: [ids[0] as string],
          state: 'failed',
          sendCount: 1,
          error: { code: 'LackPolicy', message: 'no', call: 'ecs:AttachKeyPair' },
        },
        {
          index: 1,
          phase: 0,
          action: 'AttachKeyPair',
          instanceIds: [ids[1] as string],
          state: 'done',
          sendCount: 1,
          outcomes: [{ instanceId: ids[1] as string, ok: true }],
        },
        // The read-back's error carries no call (older data): the step says what it read.
        {
          index: 2,
          phase: 1,
          action: 'Verify',
          instanceIds: ids,
          state: 'failed',
          sendCount: 1,
          error: { code: 'AccessDenied', message: 'no' },
        },
      ],
    };
    const json = JSON.stringify(renderResults(refused));
    expect(json).toContain(
      "Volcengine refused AttachKeyPair: the access key's user has no policy allowing ecs:AttachKeyPair",
    );
    expect(json).toContain(
      "not verified (Volcengine refused DescribeInstances: the access key's user may not call ecs:DescribeInstances",
    );
  });

  it('lists instances that have no answer yet instead of dropping them', () => {
    const { request } = makeRequest(3);
    const unanswered: MutationRequest = {
      ...request,
      status: 'executing',
      instanceIds: [...request.instanceIds, 'i-later0001'],
    };
    const messages = renderResults(unanswered);
    const { lines } = analyse(messages);
    expect(lines.get('i-later0001')?.kind).toBe('⏳');
    expect(sectionTexts(messages[0] as SlackMessage)[0]).toContain('1 without an answer yet');
  });

  it('says SANDBOX in every message', () => {
    const { request } = makeRequest(2000);
    const messages = renderResults(request, { sandbox: true });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.text).toContain(':test_tube: SANDBOX — simulated, nothing changes');
      assertWithinSlackLimits(m);
    }
    expect(sectionTexts(messages[0] as SlackMessage)[0]).toContain('SANDBOX');
    expect(JSON.stringify(renderResults(request))).not.toContain('SANDBOX');
  });
});

describe('findLimitViolations', () => {
  const section = (text: string, id: string) => ({
    type: 'section' as const,
    block_id: id,
    text: { type: 'mrkdwn' as const, text },
  });

  it('accepts a small valid message', () => {
    expect(findLimitViolations({ text: 'hi', blocks: [section('hello', 'a')] })).toEqual([]);
  });

  it('catches every kind of overflow', () => {
    expect(findLimitViolations({ text: '', blocks: [] })).toContain('text fallback is empty');
    const many = Array.from({ length: 51 }, (_, i) => section('x', `b${i}`));
    expect(findLimitViolations({ text: 't', blocks: many }).join()).toMatch(/51 blocks/);
    expect(
      findLimitViolations({ text: 't', blocks: [section('x'.repeat(3001), 'a')] }).join(),
    ).toMatch(/blocks\[0\]\.text is 3001 chars/);
    const heavy = Array.from({ length: 4 }, (_, i) => section('x'.repeat(2900), `h${i}`));
    expect(findLimitViolations({ text: 't', blocks: heavy }).join()).toMatch(/budget/);
    expect(
      findLimitViolations({
        text: 't',
        blocks: [section('a', 'same'), section('b', 'same')],
      }).join(),
    ).toMatch(/repeats/);
    expect(findLimitViolations({ text: 't', blocks: [section('', 'a')] }).join()).toMatch(/empty/);
  });
});
