import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';

// Sandbox mode end to end: no credentials, the simulated ECS behind the real client, and every
// card and result saying SANDBOX.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const SANDBOX_ENV = { VOLC_SANDBOX: 'true', VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' };

describe('sandbox mode', () => {
  it('runs the whole flow without credentials and says SANDBOX on the card and the results', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { requestId, card, ts } = await h.request(
      'i-abc123 i-stopped01 i-missing01 i-windows01 key=sandbox-ops',
    );
    expect(messageText(card)).toContain('SANDBOX');
    await h.click('approve', requestId, 'UAPP1');
    const thread = await h.waitForThread(ts);
    const text = thread.map(messageText).join('\n');
    expect(text).toContain('SANDBOX');
    expect(text).toContain('2 succeeded');
    expect(text).toContain('InvalidInstance.NotFound');
    expect(text).toContain('InvalidKeyPairForWindows.Unsupported');
    expect(text).toMatch(/-sandbox-/); // the simulated RequestId
    await h.waitForStatus(requestId, 'done');
    expect(h.ecs.calls).toHaveLength(0); // nothing reached the (fake) network API
    const final = await h.slack.waitFor(() => {
      const update = h.lastCardUpdate(ts);
      return update && messageText(update).includes('(done)') ? update : undefined;
    }, 'the done card');
    expect(messageText(final)).toContain('SANDBOX');
  });

  it('shows a request-level failure the user triggered on purpose', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { requestId, ts } = await h.request('i-abc123 key=missing-key');
    await h.click('approve', requestId, 'UAPP1');
    const text = (await h.waitForThread(ts)).map(messageText).join('\n');
    expect(text).toContain('InvalidKeyPair.NotFound');
    await h.waitForStatus(requestId, 'failed');
  });

  it('lists the sandbox triggers in help', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { reply } = await h.command('help');
    expect(String(reply.json().text)).toContain('missing');
    expect(String(reply.json().text)).toContain('Sandbox mode');
  });
});
