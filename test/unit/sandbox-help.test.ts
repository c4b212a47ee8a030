import { describe, expect, it } from 'vitest';
import { SANDBOX_FACTS } from '../../src/sandbox/fleet.js';
import { en } from '../../src/slack/i18n/en.js';
import type { Catalogue } from '../../src/slack/i18n/index.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { renderParseError, renderUsage } from '../../src/slack/render/messages.js';
import { describeSandbox } from '../../src/slack/render/sandbox-help.js';

// `/attach-key help` in sandbox mode: the sandbox's facts (src/sandbox/fleet.ts) worded by the
// reader's catalogue, after the usage.

const LANGUAGES: [string, Catalogue][] = [
  ['en', en],
  ['zh', zh],
];

describe.each(LANGUAGES)('the sandbox help in %s', (_lang, t) => {
  const text = describeSandbox(SANDBOX_FACTS, t);

  it('names every trigger word, code, fleet instance and listed key pair', () => {
    for (const { word, effect } of SANDBOX_FACTS.instanceWords) {
      const line = text.split('\n').find((l) => l.includes(effect.code) && l.includes(word));
      expect(line, word).toBeDefined();
    }
    for (const { word } of Object.values(SANDBOX_FACTS.keyPairWords)) expect(text).toContain(word);
    for (const name of SANDBOX_FACTS.fleet.flatMap((f) => f.names)) expect(text).toContain(name);
    for (const k of SANDBOX_FACTS.keyPairs) {
      expect(text).toContain(k.keyPairName);
      expect(text).toContain(k.keyPairId);
    }
    expect(text).toContain('REBOOTING');
    expect(text).toContain('VOLC_SANDBOX=true');
  });

  it('comes after the usage only when asked for, and never after a parse error', () => {
    const help = renderUsage(t, { appendix: SANDBOX_FACTS }).text;
    expect(help.startsWith(`${renderUsage(t).text}\n\n`)).toBe(true);
    expect(help).toContain(SANDBOX_FACTS.legacyKeyPair);
    expect(renderUsage(t).text).not.toContain(SANDBOX_FACTS.legacyKeyPair);
    const error = renderParseError({ problem: { kind: 'no_instances' }, more: 0 }, t).text;
    expect(error).not.toContain(SANDBOX_FACTS.legacyKeyPair);
  });
});

describe('the sandbox help, word for word', () => {
  it('keeps the English it had as one string', () => {
    const lines = describeSandbox(SANDBOX_FACTS, en).split('\n');
    expect(lines[0]).toBe(
      'Sandbox mode (VOLC_SANDBOX=true): ECS calls are simulated, nothing is really bound.',
    );
    expect(lines[2]).toBe(
      'Some already carry sandbox-legacy; api-03 and ci-runner-01 are STOPPED.',
    );
    expect(lines).toContain('  "missing" -> does not exist: InvalidInstance.NotFound');
    expect(lines).toContain(
      '  "stopped" -> STOPPED: binds, but RebootInstances answers InvalidInstanceStatus',
    );
    expect(lines).toContain(
      '  "flaky" -> the first attempt fails with 500 InternalError, the retry succeeds',
    );
    expect(lines.at(-1)).toMatch(/^Listed key pairs: sandbox-ops \(kp-sandbox-ops\), /);
    // Escaped once more where it is shown.
    expect(renderUsage(en, { appendix: SANDBOX_FACTS }).text).toContain(
      '"busy" -&gt; STOPPING: InvalidInstanceStatus',
    );
  });

  it('speaks Chinese with the console’s words, codes and names left as they are', () => {
    const text = describeSandbox(SANDBOX_FACTS, zh);
    const lines = text.split('\n');
    for (const line of lines) expect(line, line).toMatch(/\p{Script=Han}/u);
    expect(lines[0]).toBe(
      '沙箱模式（`VOLC_SANDBOX=true`）：ECS 调用全部为模拟，不会真正绑定任何密钥对。',
    );
    expect(text).toContain('`cn-beijing` 地域有 `web-01`、`web-02`');
    expect(text).toContain('`api-03`、`ci-runner-01` 处于已停止（`STOPPED`）状态');
    expect(text).toContain('  含 `missing` → 实例不存在：`InvalidInstance.NotFound`');
    expect(text).toContain('重启（`RebootInstances`）');
    expect(text).toContain('可用的密钥对：`sandbox-ops`（`kp-sandbox-ops`）、');
    expect(text).not.toMatch(/does not|first attempt|Listed key pairs|->/);
  });
});
