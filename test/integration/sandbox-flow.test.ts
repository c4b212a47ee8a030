import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';
import { makeTestKey } from '../support/ssh-keys.js';

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
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0); // nothing reached the (fake) network API
    const final = await h.slack.waitFor(() => {
      const update = h.lastCardUpdate(ts);
      return update && messageText(update).includes('(done)') ? update : undefined;
    }, 'the done card');
    expect(messageText(final)).toContain('SANDBOX');
  });

  it('selects the tagged fleet and rotates the legacy key, as the quick start says (issue 21)', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const web = await h.request('tag:env=prod tag:team=web key=sandbox-ops');
    expect(messageText(web.card)).toContain(
      'Selected by `tag:env=prod` `tag:team=web` · 3 instances',
    );
    const { requestId, card, ts } = await h.request(
      'holding:sandbox-legacy key=sandbox-ops then=restart',
    );
    expect(messageText(card)).toContain('Attach key pair, then restart');
    expect((await h.store(requestId)).instanceIds).toHaveLength(3);
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = await h.slack.waitFor(() => {
      const text = h.threadPosts(ts).map(messageText).join('\n');
      return text.includes('Restart results for request') ? text : undefined;
    }, 'the restart results');
    expect(thread).toContain('3 restarted');
    expect(thread).toContain('SANDBOX');
  });

  it('imports a key, then binds and applies it now under one approval, as the quick start says', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const key = makeTestKey('ed25519', 'you@laptop');
    const { replyId } = await h.command(`import new-key ${key.line}`);
    expect(String((await h.responseTo(replyId)).text)).toContain('Imported');
    const { requestId, card, ts } = await h.request(
      'i-abc123 i-noassist01 key=new-key then=apply-now',
    );
    expect(messageText(card)).toContain('Attach key pair, then apply now');
    expect(messageText(card)).toContain(`KEY_BLOB='${key.blob}'`);
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = await h.slack.waitFor(() => {
      const text = h.threadPosts(ts).map(messageText).join('\n');
      return text.includes('Apply-now results for request') ? text : undefined;
    }, 'the apply-now results');
    expect(thread).toContain('`i-abc123` in effect now: key added');
    expect(thread).toContain('`i-noassist01` left out: Cloud Assistant is not running there');
    expect(thread).toContain('SANDBOX');
  });

  it('refuses a key pair the sandbox does not have at submit, with similar names', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { replyId } = await h.command('i-abc123 key=missing-key');
    const text = String((await h.responseTo(replyId)).text);
    expect(text).toContain('There is no key pair `missing-key`');
    await h.bot.service.idle();
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);
  });

  it('shows the preview: the sandbox fleet, a replaced key and what will fail', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { card } = await h.request('i-abc123 i-windows01 i-missing01 i-busy01 key=sandbox-ops');
    const text = messageText(card);
    expect(text).toContain('fingerprint');
    expect(text).toContain('`i-windows01` is Windows');
    expect(text).toContain('`i-missing01` was not found');
    expect(text).toContain('`i-busy01` is `STOPPING`');
  });

  it('lists the sandbox triggers in help', async () => {
    h = await startHarness({ env: SANDBOX_ENV });
    const { replyId } = await h.command('help');
    const body = await h.responseTo(replyId);
    expect(String(body.text)).toContain('missing');
    expect(String(body.text)).toContain('Sandbox mode');
  });
});
