import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, messageText, startHarness } from '../support/bot-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('happy path', () => {
  it('posts a card, runs exactly one signed call on approval, threads the results', async () => {
    h = await startHarness();
    const { requestId, card, ts } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    expect(card.params.channel).toBe('C0OPS');
    expect(messageText(card)).toContain('ops-key');
    expect(messageText(card)).toContain('<@UREQ>');
    expect(h.ecs.calls).toHaveLength(0);

    const { reply } = await h.click('approve', requestId, 'UAPP1');
    expect(reply.status).toBe(200);
    const thread = await h.waitForThread(ts);
    await h.waitForStatus(requestId, 'done');

    expect(h.ecs.calls).toHaveLength(1);
    const call = h.ecs.calls[0];
    expect(call?.auth).toEqual({ ok: true });
    expect(call?.action).toBe('AttachKeyPair');
    expect(call?.region).toBe('cn-beijing');
    expect(call?.instanceIds).toEqual(['i-aaaa1111', 'i-bbbb2222']);
    expect(call?.keyPairName).toBe('ops-key');

    const text = thread.map(messageText).join('\n');
    expect(text).toContain('i-aaaa1111');
    expect(text).toContain('i-bbbb2222');
    expect(text.toLowerCase()).toContain('restart');
    expect(text).toContain(String(h.ecs.calls[0]?.requestId));

    await h.slack.waitFor(
      () => messageText(h.lastCardUpdate(ts)).includes('<@UAPP1>'),
      'the card to name the approver',
    );
    const last = h.lastCardUpdate(ts);
    expect(JSON.stringify(last?.params.blocks)).not.toContain('approve_request');
  });
});
