import { describe, expect, it } from 'vitest';
import { ENGLISH_OUTCOME, ERROR_EXPLANATIONS, explainFrom } from '../../src/domain/outcome.js';
import { zhOutcome } from '../../src/slack/i18n/zh-outcome.js';

// The outcome catalogue in both languages (issue 13): the same codes, each said in its language.

const HAN = /\p{Script=Han}/u;

describe('outcome catalogue', () => {
  it('has exactly the same codes in English and Chinese', () => {
    const english = Object.keys(ENGLISH_OUTCOME.explanations).sort();
    expect(english).toEqual(Object.keys(ERROR_EXPLANATIONS).sort());
    expect(Object.keys(zhOutcome.explanations).sort()).toEqual(english);
    expect(english.length).toBeGreaterThan(40);
  });

  it('says every code in Chinese, never in English', () => {
    for (const [code, line] of Object.entries(zhOutcome.explanations)) {
      expect(line, code).toMatch(HAN);
      expect(line, code).not.toBe(ERROR_EXPLANATIONS[code as keyof typeof ERROR_EXPLANATIONS]);
      // "what happened; what to do", as in English
      expect(line, code).toContain('；');
    }
    expect(zhOutcome.fallback).toMatch(HAN);
  });

  it('keeps the settings and codes a reader must type exactly as they are', () => {
    const zh = zhOutcome.explanations;
    expect(zh.InvalidTimestamp).toContain('NTP');
    expect(zh.SignatureDoesNotMatch).toContain('VOLC_SECRET_ACCESS_KEY');
    expect(zh.InvalidActionOrVersion).toContain('open.volcengineapi.com');
    expect(zh.InvalidInstanceStatus).toMatch(/运行中.*已停止/);
    expect(zh['InvalidResetAuthenticationAgent.NotFound']).toContain('密码插件');
  });

  it('explains in the catalogue language and falls back to the API message', () => {
    expect(explainFrom(zhOutcome, 'InvalidInstance.NotFound', 'ignored')).toBe(
      zhOutcome.explanations['InvalidInstance.NotFound'],
    );
    expect(explainFrom(zhOutcome, 'Brand.NewCode', ' Something\n odd ')).toBe('Something odd');
    expect(explainFrom(zhOutcome, 'Brand.NewCode')).toBe('暂无说明');
    expect(explainFrom(zhOutcome, 'constructor')).toBe('暂无说明');
    expect(explainFrom(zhOutcome, 'X', 'y'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });

  it.each([
    [
      'AccessDenied',
      'ecs:DescribeInstances',
      /refused DescribeInstances.*may not call ecs:DescribeInstances/,
    ],
    [
      'LackPolicy',
      'ecs:RebootInstances',
      /refused RebootInstances.*no policy allowing ecs:RebootInstances/,
    ],
    ['AccessDenied', 'sts:AssumeRole', /refused AssumeRole.*sts:AssumeRole/],
  ])('explains %s with the call that was refused (%s)', (code, call, english) => {
    const line = explainFrom(ENGLISH_OUTCOME, code, 'api says no', call);
    expect(line).toMatch(english);
    expect(line).not.toContain('AttachKeyPair');
    const zh = explainFrom(zhOutcome, code, 'api says no', call);
    expect(zh).toMatch(HAN);
    expect(zh).toContain(call);
    expect(zh).toContain(call.split(':')[1] as string);
  });

  it('names no action it does not know: a refusal without its call reads generically', () => {
    for (const texts of [ENGLISH_OUTCOME, zhOutcome]) {
      for (const code of ['AccessDenied', 'LackPolicy']) {
        const line = explainFrom(texts, code);
        expect(line).not.toMatch(/AttachKeyPair|DescribeInstances/);
      }
    }
    // Other codes keep their own line whatever the call.
    expect(explainFrom(ENGLISH_OUTCOME, 'InvalidTimestamp', undefined, 'ecs:AttachKeyPair')).toBe(
      ERROR_EXPLANATIONS.InvalidTimestamp,
    );
  });

  it('has the English table and fallback in ENGLISH_OUTCOME, frozen like the Chinese', () => {
    expect(ENGLISH_OUTCOME.explanations).toBe(ERROR_EXPLANATIONS);
    expect(explainFrom(ENGLISH_OUTCOME, 'Brand.NewCode')).toBe('no explanation available');
    expect(Object.isFrozen(ERROR_EXPLANATIONS)).toBe(true);
    expect(Object.isFrozen(zhOutcome.explanations)).toBe(true);
  });
});
