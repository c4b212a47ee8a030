import { describe, expect, it } from 'vitest';
import { ERROR_EXPLANATIONS } from '../../src/domain/outcome.js';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import { en } from '../../src/slack/i18n/en.js';
import type { Catalogue } from '../../src/slack/i18n/index.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { zhOutcome } from '../../src/slack/i18n/zh-outcome.js';
import { renderApprovalCard } from '../../src/slack/render/approval-card.js';
import { renderResults } from '../../src/slack/render/results.js';
import { APPROVED, doneStep, makeRequest, verifyStep } from '../support/request-fixtures.js';

// Words that used to be written in English outside the catalogues (issue 13 review): the
// summary's reasons, the fallback for an unknown code, and the sandbox note's joiner.

const NOW = new Date('2026-11-01T10:20:00.000Z');
const ids = ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333'];

function finished(steps: Step[], extra: Partial<MutationRequest> = {}): MutationRequest {
  return makeRequest({
    status: 'done',
    decision: APPROVED,
    finishedAt: '2026-11-01T10:15:00.000Z',
    steps,
    ...extra,
  });
}

const thread = (request: MutationRequest, t: Catalogue, sandbox = false) =>
  renderResults(request, { t, sandbox, now: NOW, undoWindowHours: 24 });

/** Every line of the thread's sections. */
const linesOf = (request: MutationRequest, t: Catalogue) =>
  thread(request, t)
    .flatMap((m) => m.blocks ?? [])
    .flatMap((b) => (b.type === 'section' && b.text ? b.text.text.split('\n') : []));

const lineFor = (lines: string[], id: string) => lines.find((l) => l.includes(`\`${id}\``));

describe('the summary carries codes, the renderers word them', () => {
  it('says why an instance is not verified in the reader’s language', () => {
    const verify = verifyStep(1, ids);
    verify.outcomes = verify.outcomes?.filter((o) => o.instanceId !== 'i-cccc3333');
    const request = finished([doneStep(0, ids), verify]);
    expect(lineFor(linesOf(request, en), 'i-cccc3333')).toBe(
      '✅ `i-cccc3333` ok · not verified (the read-back did not list the instance)',
    );
    const chinese = lineFor(linesOf(request, zh), 'i-cccc3333') ?? '';
    expect(chinese).toBe(`✅ \`i-cccc3333\` 成功 · 未校验（${zh.results.notListed}）`);
    expect(chinese).not.toMatch(/read-back/);
  });

  it('explains a failed read-back with the catalogue’s line for its code', () => {
    const verify: Step = {
      ...verifyStep(1, ids),
      state: 'failed',
      outcomes: undefined,
      error: { code: 'Timeout', message: 'timed out' },
    };
    const request = finished([doneStep(0, ids), verify]);
    expect(lineFor(linesOf(request, en), 'i-aaaa1111')).toBe(
      `✅ \`i-aaaa1111\` ok · not verified (${ERROR_EXPLANATIONS.Timeout})`,
    );
    expect(lineFor(linesOf(request, zh), 'i-aaaa1111')).toContain(zhOutcome.explanations.Timeout);
  });

  it('has a Chinese fallback for an unknown code that came without a message', () => {
    const failedCall: Step = {
      ...doneStep(1, ['i-cccc3333']),
      state: 'failed',
      outcomes: undefined,
      apiRequestId: undefined,
      error: { code: 'Brand.NewCode', message: '' },
    };
    const first = doneStep(0, ['i-aaaa1111', 'i-bbbb2222'], { 'i-bbbb2222': 'Other.NewCode' });
    const noMessage = first.outcomes?.map((o) => (o.ok ? o : { ...o, message: ' ' })) ?? [];
    const request = finished([{ ...first, outcomes: noMessage }, failedCall], {
      status: 'failed',
    });
    const english = linesOf(request, en);
    expect(lineFor(english, 'i-bbbb2222')).toBe(
      '❌ `i-bbbb2222` *Other.NewCode* — no explanation available',
    );
    expect(lineFor(english, 'i-cccc3333')).toBe(
      '⚠️ `i-cccc3333` unconfirmed: *Brand.NewCode* — no explanation available',
    );
    const chinese = linesOf(request, zh);
    expect(lineFor(chinese, 'i-bbbb2222')).toBe(
      `❌ \`i-bbbb2222\` *Other.NewCode* — ${zhOutcome.fallback}`,
    );
    expect(lineFor(chinese, 'i-cccc3333')).toBe(
      `⚠️ \`i-cccc3333\` 未确认 *Brand.NewCode* — ${zhOutcome.fallback}`,
    );
    expect(chinese.join('\n')).not.toContain('no explanation');
  });
});

describe('the sandbox note leads a notification as the language joins sentences', () => {
  const card = (t: Catalogue) =>
    renderApprovalCard(makeRequest(), { t, sandbox: true, approvers: ['U0APP0001'] }).text;

  it('joins with ". " in English and "。" in Chinese, on the card and the thread', () => {
    expect(card(en)).toMatch(/^:test_tube: SANDBOX — simulated, nothing changes\. Bind /);
    expect(card(zh).startsWith(`${zh.sandboxNote}。`)).toBe(true);
    const request = finished([doneStep(0, ids), verifyStep(1, ids)]);
    const [english] = thread(request, en, true);
    const [chinese] = thread(request, zh, true);
    expect(english?.text).toMatch(
      /^:test_tube: SANDBOX — simulated, nothing changes\. Results for request req-abc123: /,
    );
    expect(chinese?.text.startsWith(`${zh.sandboxNote}。请求 req-abc123 的结果`)).toBe(true);
    for (const text of [card(zh), chinese?.text ?? '']) expect(text).not.toContain('. ');
  });

  it('leaves the note out outside the sandbox', () => {
    const plain = renderApprovalCard(makeRequest(), { t: zh, sandbox: false, approvers: [] });
    expect(plain.text).not.toContain(zh.sandboxNote);
  });
});
