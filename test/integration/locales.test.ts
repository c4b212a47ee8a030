import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/slack/i18n/en.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';

// Issue 13 end to end: private answers follow the reader's Slack locale (users.info), channel
// messages follow DEFAULT_LOCALE, any other locale gets DEFAULT_LOCALE, and full-width input is
// read as parse.ts's header says. (The modal is left to its own tests.)

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const HAN = /\p{Script=Han}/u;
const USERS: Record<string, string> = { UZH: 'zh-CN', UJA: 'ja-JP' };

/** users.info answers each user's locale: UZH Chinese, UJA Japanese, everyone else en-US. */
async function start(env: Record<string, string> = {}) {
  h = await startHarness({ env });
  h.slack.answer('users.info', (p) => ({
    ok: true,
    user: { id: p.user, locale: USERS[String(p.user)] ?? 'en-US' },
  }));
  return h;
}

/** The text of `/attach-key <text>`'s private answer, as `user` sees it. */
async function answer(text: string, user: string): Promise<string> {
  const { replyId } = await h.command(text, { user });
  const body = await h.responseTo(replyId);
  expect(body).toMatchObject({ response_type: 'ephemeral' });
  return `${String(body.text)}\n${JSON.stringify(body.blocks ?? [])}`;
}

describe('private answers follow the reader, the channel follows DEFAULT_LOCALE', () => {
  it('answers a zh-CN user in Chinese while the card stays in English (the default)', async () => {
    await start();
    const help = await answer('help', 'UZH');
    expect(help).toContain('/attach-key 用法：');
    expect(help).toContain('实例 ID 之间可用空格');
    expect(help).not.toContain('How to use');

    const error = await answer('i-aaaa1111', 'UZH');
    expect(error).toMatch(/^:warning: .*密钥对（key=名称 或 key-id=kp-…）/);
    expect(error).not.toMatch(/How to use|a key pair/);

    // Their request's card is a channel message: DEFAULT_LOCALE, English.
    const { card } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key', { user: 'UZH' });
    const text = messageText(card);
    expect(text).toContain(en.card.header(en.card.title.attach, en.status.pending));
    expect(text).not.toMatch(HAN);
    // An English user next to them still reads English.
    expect(await answer('help', 'UREQ')).toContain('How to use /attach-key');
  });

  it('writes the card and the results thread in Chinese with DEFAULT_LOCALE=zh-CN', async () => {
    await start({ DEFAULT_LOCALE: 'zh-CN' });
    const { requestId, card, ts } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    const cardText = messageText(card);
    expect(cardText).toContain('绑定密钥对：待审批');
    expect(cardText).toContain('审批');
    expect(cardText).not.toContain('waiting for approval');

    await h.click('approve', requestId, 'UAPP1');
    const thread = await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');
    const text = thread.map(messageText).join('\n');
    expect(text).toContain(`请求 \`${requestId}\` 的绑定结果`);
    expect(text).toContain('✅ 2 台成功');
    expect(text).toContain('`i-aaaa1111` 成功');
    // The restart reminder, and its button, say 重启.
    expect(text).toContain('🔁 *这 2 台实例重启后，密钥对方可生效*');
    expect(text).toContain(zh.results.buttons.restart(2));
    expect(text).not.toMatch(/succeeded|Restart these/);
    const done = await h.slack.waitFor(() => {
      const update = h.lastCardUpdate(ts);
      return update && messageText(update).includes(zh.status.done) ? update : undefined;
    }, 'the card in its done state');
    expect(messageText(done)).not.toMatch(/\bdone\b|succeeded/);

    // Private answers still follow the reader: an en-US user reads English help.
    expect(await answer('help', 'UREQ')).toContain('How to use /attach-key');
  });

  it.each([
    ['en', 'How to use /attach-key'],
    ['zh-CN', '/attach-key 用法：'],
  ])('gives a ja-JP user DEFAULT_LOCALE (%s)', async (locale, words) => {
    await start({ DEFAULT_LOCALE: locale });
    expect(await answer('help', 'UJA')).toContain(words);
  });

  it('words the sandbox part of help in the reader’s language', async () => {
    await start({ VOLC_SANDBOX: 'true', VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' });
    const chinese = await answer('help', 'UZH');
    expect(chinese).toContain('沙箱模式（`VOLC_SANDBOX=true`）');
    expect(chinese).toContain('含 `missing` → 实例不存在');
    expect(chinese).not.toContain('Sandbox mode');
    expect(await answer('help', 'UREQ')).toContain('Sandbox mode (VOLC_SANDBOX=true)');
  });
});

describe('full-width input, as the grammar says', () => {
  it('refuses a full-width id with the ASCII form to type, in the reader’s language', async () => {
    await start();
    const english = await answer('ｉ－abc123 key＝ops', 'UREQ');
    expect(english).toContain('`ｉ－abc123` is in full-width characters: type it as `i-abc123`.');
    const chinese = await answer('ｉ－abc123 key＝ops', 'UZH');
    expect(chinese).toContain('`ｉ－abc123` 含有全角字符：请切换到半角输入，写作 `i-abc123`。');
    await h.bot.service.idle();
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);
  });

  it('reads the full-width comma as a separator and ＝ as =', async () => {
    await start();
    const { requestId, card } = await h.request('i-aaaa1111，i-bbbb2222 key＝ops-key');
    const stored = await h.store(requestId);
    expect(stored.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222']);
    expect(stored.keyPairName).toBe('ops-key');
    expect(messageText(card)).toContain('ops-key');
  });
});
