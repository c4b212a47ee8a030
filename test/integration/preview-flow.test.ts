import { afterEach, describe, expect, it } from 'vitest';
import { findLimitViolations } from '../../src/slack/render/limits.js';
import {
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 9 end to end: the key pair checked at submit, the preview on the card (replaced key pairs,
// will-fail lines, fingerprint), a failed read still posting a card, and 500 instances read in
// parallel chunks within Slack's limits.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const replyText = (body: Record<string, unknown>) =>
  `${String(body.text)}\n${JSON.stringify(body.blocks ?? [])}`;

describe('the key pair at submit', () => {
  it('refuses an unknown key pair with similar names; nothing is stored or posted', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      strictKeyPairs: true,
      keyPairs: [
        { keyPairId: 'kp-ops0000001', keyPairName: 'ops-key', fingerprint: '11:22' },
        { keyPairId: 'kp-ops0000002', keyPairName: 'ops-key-old', fingerprint: '33:44' },
      ],
    });
    h = await startHarness({ ecs });
    const { replyId } = await h.command('i-aaaa1111 key=ops-kye');
    const answer = replyText(await h.responseTo(replyId));
    expect(answer).toContain('There is no key pair `ops-kye` in `cn-beijing`');
    expect(answer).toContain('Did you mean `ops-key`, `ops-key-old`?');
    await h.bot.service.idle();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });
});

describe('the preview on the card', () => {
  it('names the replaced key, each will-fail reason with its instances, and the fingerprint', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      keyPairs: [
        { keyPairId: 'kp-ops0000001', keyPairName: 'ops-key', fingerprint: 'aa:bb:cc:dd' },
        { keyPairId: 'kp-old0000001', keyPairName: 'old-key', fingerprint: 'ee:ff' },
      ],
      instances: [
        {
          instanceId: 'i-web000001',
          name: 'web-01',
          keyPairId: 'kp-old0000001',
          keyPairName: 'old-key',
        },
        {
          instanceId: 'i-web000002',
          name: 'web-02',
          keyPairId: 'kp-old0000001',
          keyPairName: 'old-key',
        },
        { instanceId: 'i-web000003', name: 'web-03' },
        { instanceId: 'i-win000001', name: 'win-01', osType: 'Windows' },
        { instanceId: 'i-busy00001', name: 'busy-01', status: 'STOPPING' },
      ],
      absent: ['i-gone00001'],
    });
    h = await startHarness({ ecs });
    const { card, requestId } = await h.request(
      'i-web000001 i-web000002 i-web000003 i-win000001 i-busy00001 i-gone00001 key=ops-key',
    );
    const text = messageText(card);
    expect(text).toContain('`ops-key` · `kp-ops0000001`');
    expect(text).toContain('fingerprint `aa:bb:cc:dd`');
    expect(text).toContain('Replaces `old-key` on 2 instances.');
    expect(text).toContain(
      '1 instance has no key pair yet: password login will stop working on it.',
    );
    expect(text).toContain('`i-win000001` is Windows');
    expect(text).toContain('`i-gone00001` was not found in this region');
    expect(text).toContain('`i-busy00001` is `STOPPING` (must be Running or Stopped)');
    expect(text).toContain('`i-web000001` web-01 · RUNNING · `old-key`');
    const stored = await h.store(requestId);
    expect(text).toContain(`fingerprint \`${stored.fingerprint}\``);
    expect(stored.preview?.instances.find((i) => i.instanceId === 'i-web000001')).toMatchObject({
      keyPairName: 'old-key',
      keyPairId: 'kp-old0000001',
    });
    expect(
      findLimitViolations({ text: String(card.params.text), blocks: card.params.blocks as never }),
    ).toEqual([]);

    // The approval is recorded with the fingerprint; the results say why each one failed.
    await h.click('approve', requestId, 'UAPP1');
    const thread = (await h.waitForThread(stored.card?.ts as string)).map(messageText).join('\n');
    expect(thread).toContain('InvalidKeyPairForWindows.Unsupported');
    expect(thread).toContain('InvalidInstance.NotFound');
    expect(thread).toContain('InvalidInstanceStatus');
    expect(thread).toContain('`i-web000001` ok · verified');
    const events = await h.auditEvents(requestId);
    expect(events.find((e) => e.type === 'approved')).toMatchObject({
      fingerprint: stored.fingerprint,
    });
  });

  it('still posts a card, saying why, when the instances cannot be read', async () => {
    h = await startHarness();
    h.ecs.script({
      action: 'DescribeInstances',
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message: 'no',
    });
    const { card, requestId } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    expect(messageText(card)).toContain('Preview unavailable:');
    // The read that was refused is named, with its permission: not the AttachKeyPair it never was.
    expect(messageText(card)).toContain(
      "Volcengine refused DescribeInstances: the access key's user may not call ecs:DescribeInstances",
    );
    expect(messageText(card)).not.toContain('AttachKeyPair');
    expect((await h.store(requestId)).preview).toMatchObject({
      unread: ['i-aaaa1111', 'i-bbbb2222'],
    });
  });

  it('reads 500 instances in parallel chunks of 100 and keeps the card within Slack limits', async () => {
    h = await startHarness({ env: { VOLC_MAX_CONCURRENCY: '5' } });
    const ids = Array.from({ length: 500 }, (_, i) => `i-many${String(i).padStart(6, '0')}`);
    for (const id of ids)
      h.ecs.addInstance({ instanceId: id, name: `a-rather-long-instance-name-for-testing-${id}` });
    const held = Array.from({ length: 5 }, () => h.ecs.hold({ action: 'DescribeInstances' }));
    const sent = h.request(`${ids.join(' ')} key=ops-key`);
    // All five chunk reads are in flight at once before any answers.
    const arrived = await Promise.all(held.map((x) => x.arrived));
    expect(arrived.map((c) => c.instanceIds.length)).toEqual([100, 100, 100, 100, 100]);
    for (const x of held) x.release();
    const { card } = await sent;
    expect(
      findLimitViolations({ text: String(card.params.text), blocks: card.params.blocks as never }),
    ).toEqual([]);
    expect(messageText(card)).toMatch(/and 4\d\d more: `\/attach-key status ak-/);
  });
});
