import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { type Harness, startHarness } from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';

// Distinctive secrets through the whole flow, failures included: none may reach a log line, a
// Slack call, an ephemeral reply, the audit trail, the store or an error message.

const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-LEAKCANARY-bot-7f3a9c',
  SLACK_SIGNING_SECRET: 'LEAKCANARY-signing-5e8d1b',
  VOLC_ACCESS_KEY_ID: 'AKLTLEAKCANARYaccess42',
  VOLC_SECRET_ACCESS_KEY: 'LEAKCANARY-secret-key-9b2e==',
  VOLC_SESSION_TOKEN: 'STSLEAKCANARY-session+token/9=',
};

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('secrets never leak', () => {
  it('through a full flow with Volcengine and Slack failures, and through config errors', async () => {
    const slack = await startFakeSlackApi();
    const ecs = await startFakeEcsApi({
      credentials: {
        accessKeyId: SECRETS.VOLC_ACCESS_KEY_ID,
        secretAccessKey: SECRETS.VOLC_SECRET_ACCESS_KEY,
        sessionToken: SECRETS.VOLC_SESSION_TOKEN,
      },
    });
    h = await startHarness({
      slack,
      ecs,
      env: { ...SECRETS },
      overrides: { slackRetry: { retries: 1, minTimeout: 5, maxTimeout: 5 } },
    });

    // 1. A success, with a per-instance error.
    h.ecs.failInstance('i-bad00001', 'InvalidInstanceStatus');
    const ok = await h.request('i-good0001 i-bad00001 key=ops-key');
    await h.click('approve', ok.requestId, 'UAPP1');
    await h.waitForThread(ok.ts);

    // 2. Volcengine rejects the signature, then throttles until the client gives up.
    h.ecs.script({
      action: 'AttachKeyPair',
      kind: 'error',
      status: 401,
      code: 'SignatureDoesNotMatch',
    });
    const denied = await h.request('i-aaaa1111 key=ops-key');
    await h.click('approve', denied.requestId, 'UAPP1');
    await h.waitForStatus(denied.requestId, 'failed');
    h.ecs.script(
      ...Array.from({ length: 5 }, () => ({
        action: 'AttachKeyPair',
        kind: 'error' as const,
        status: 429,
        code: 'FlowLimitExceeded',
      })),
    );
    const throttled = await h.request('i-cccc3333 key=ops-key');
    await h.click('approve', throttled.requestId, 'UAPP1');
    await h.waitForStatus(throttled.requestId, 'failed');

    // 3. Slack failures: card update 500s, a post into a channel the bot is not in.
    await h.bot.service.idle();
    h.slack.fail('chat.update', { kind: 'http', status: 500 }, { kind: 'http', status: 500 });
    h.slack.fail('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const { replyId } = await h.command('i-dddd4444 key=ops-key');
    await h.responseTo(replyId);
    await h.bot.service.idle();

    // 4. Queries and a forged request.
    await h.command(`status ${ok.requestId}`);
    await h.command('history');
    await h.sender.raw('payload=%7B%7D', {
      'X-Slack-Signature': 'v0=00',
      'X-Slack-Request-Timestamp': '1',
    });
    await h.stop({ keepFakes: true, keepData: true });

    // 5. A config error with the same secrets in bad places.
    let configMessage = '';
    try {
      loadConfig({
        ...SECRETS,
        SLACK_BOT_TOKEN: `xoxp-${SECRETS.SLACK_BOT_TOKEN}`,
        SLACK_APP_TOKEN: SECRETS.SLACK_SIGNING_SECRET,
        APPROVER_USER_IDS: SECRETS.VOLC_SECRET_ACCESS_KEY,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      configMessage = (error as Error).message;
    }
    expect(configMessage).toMatch(/SLACK_BOT_TOKEN/);

    // Every file the bot wrote, the keyed archive beside the audit trail included.
    const files = await readdir(h.dataDir, { recursive: true, withFileTypes: true });
    const stored = await Promise.all(
      files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')),
    );
    const haystacks: Record<string, string> = {
      logs: h.logs.join('\n'),
      // auth.test carries the bot token as its own form field (to Slack, which issued it).
      slackCalls: JSON.stringify(
        slack.calls.map((c) => (c.method === 'auth.test' ? { ...c.params, token: '' } : c.params)),
      ),
      slackResponseUrlBodies: slack.rawBodies.filter((b) => !b.startsWith('token=')).join('\n'),
      ephemeralReplies: JSON.stringify(slack.responses),
      dataFiles: stored.join('\n'),
      configError: configMessage,
    };
    expect(h.logs.length).toBeGreaterThan(20);
    expect(haystacks.dataFiles).toContain('SignatureDoesNotMatch');
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(text.includes(secret), `${name} leaked into ${where}`).toBe(false);
      }
      expect(text, `a signature leaked into ${where}`).not.toMatch(/Signature=[0-9a-f]{16}/);
      expect(text, `an Authorization header leaked into ${where}`).not.toMatch(
        /HMAC-SHA256 Credential/,
      );
    }
    // The bot token only ever travels in the Authorization header to Slack.
    expect(slack.calls.every((c) => c.authorization === `Bearer ${SECRETS.SLACK_BOT_TOKEN}`)).toBe(
      true,
    );
  });
});
