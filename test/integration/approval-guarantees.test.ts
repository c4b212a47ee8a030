import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buttonValue,
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 19 end to end, against the loopback fake ECS: the key pair the card showed is the one
// bound (by id, checked again before the first call), sandbox requests never reach a live bot,
// and refusals name the call refused.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const MUTATIONS = ['AttachKeyPair', 'DetachKeyPair', 'RebootInstances'];
const mutationCalls = () => h.ecs.calls.filter((c) => MUTATIONS.includes(c.action ?? ''));

describe('the key pair the card showed', () => {
  it('is never swapped: renamed and replaced between submit and approval, nothing is sent', async () => {
    h = await startHarness();
    h.ecs.addKeyPair({ keyPairId: 'kp-ops0000001', keyPairName: 'ops-key', fingerprint: '11:11' });
    const { requestId, card, ts } = await h.request('i-aaaa1111 i-bbbb2222 key=ops-key');
    expect(messageText(card)).toContain('`ops-key` · `kp-ops0000001`');

    // Someone with key pair rights moves the shown key aside and imports theirs under its name.
    h.ecs.renameKeyPair({ keyPairId: 'kp-ops0000001' }, 'ops-key-retired');
    h.ecs.addKeyPair({ keyPairId: 'kp-evil000001', keyPairName: 'ops-key', fingerprint: '66:66' });

    await h.click('approve', requestId, 'UAPP1');
    const thread = (await h.waitForThread(ts)).map(messageText).join('\n');
    expect(thread).toContain('The key pair changed after approval: nothing was sent.');
    expect(thread).toContain('Approved: `ops-key` · `kp-ops0000001` (fingerprint `11:11`)');
    expect(thread).toContain('Now: `ops-key-retired` · `kp-ops0000001`');
    await h.bot.service.idle();
    expect(mutationCalls()).toEqual([]);
    expect(h.ecs.mutations).toEqual([]);
    expect(h.ecs.instance('i-aaaa1111')?.keyPairId).toBeUndefined();

    const stored = await h.store(requestId);
    expect(stored.status).toBe('failed');
    expect(messageText(h.lastCardUpdate(ts))).toContain(
      'The key pair changed after approval: nothing was sent.',
    );
    const events = await h.auditEvents(requestId);
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({
      reason: 'key_pair_changed',
      found: { keyPairName: 'ops-key-retired' },
    });
    expect(events.map((e) => e.type)).not.toContain('execution_started');
    // The requester hears why, privately.
    const dm = await h.slack.waitFor(
      () =>
        h.slack
          .callsTo('chat.postMessage')
          .find((c) => c.params.channel === 'UREQ' && messageText(c).includes('was not run')),
      'the requester note',
    );
    expect(messageText(dm)).toContain('The key pair changed after approval');
  });

  it('sends KeyPairId on every mutation: the attach, and both kinds of undo call', async () => {
    h = await startHarness();
    h.ecs.addKeyPair({ keyPairId: 'kp-new0000001', keyPairName: 'new-key' });
    h.ecs.addKeyPair({ keyPairId: 'kp-old0000001', keyPairName: 'old-key' });
    h.ecs.addInstance({ instanceId: 'i-had000001', keyPairId: 'kp-old0000001' });
    h.ecs.addInstance({ instanceId: 'i-none00001' });
    const { requestId, ts } = await h.request('i-had000001 i-none00001 key=new-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const results = await h.slack.waitFor(
      () => h.threadPosts(ts).find((c) => c.params.blocks),
      'the results',
    );
    const undo = await h.clickButton('undo_request', requestId, 'UREQ', String(results.params.ts));
    expect(undo.reply.status).toBe(200);
    const undoCard = await h.followUpCard(ts);
    const undoId = String(
      (undoCard.params.blocks as Array<{ elements?: Array<{ value?: string }> }>)
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.value)?.value,
    );
    await h.click('approve', undoId, 'UAPP2');
    await h.waitForStatus(undoId, 'done');
    const calls = mutationCalls();
    expect(calls.map((c) => [c.action, c.keyPairId])).toEqual([
      ['AttachKeyPair', 'kp-new0000001'],
      ['AttachKeyPair', 'kp-old0000001'],
      ['DetachKeyPair', 'kp-new0000001'],
    ]);
  });
});

describe('errors that name the right thing', () => {
  it('explains a refused attach with AttachKeyPair and a refused read-back with DescribeInstances', async () => {
    h = await startHarness();
    const { requestId, ts } = await h.request('i-aaaa1111 key=ops-key');
    h.ecs.script({ action: 'AttachKeyPair', kind: 'error', status: 403, code: 'LackPolicy' });
    await h.click('approve', requestId, 'UAPP1');
    const thread = (await h.waitForThread(ts)).map(messageText).join('\n');
    expect(thread).toContain(
      "Volcengine refused AttachKeyPair: the access key's user has no policy allowing ecs:AttachKeyPair",
    );

    const second = await h.request('i-bbbb2222 key=ops-key');
    h.ecs.script({ action: 'DescribeInstances', kind: 'error', status: 403, code: 'AccessDenied' });
    await h.click('approve', second.requestId, 'UAPP1');
    const read = (await h.waitForThread(second.ts)).map(messageText).join('\n');
    expect(read).toContain(
      "not verified (Volcengine refused DescribeInstances: the access key's user may not call ecs:DescribeInstances",
    );
    expect(read).not.toContain('may not call ecs:AttachKeyPair');
  });
});

const SANDBOX_ENV = { VOLC_SANDBOX: 'true', VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' };

describe('sandbox requests stay in the sandbox', () => {
  it('a sandbox card (pending or finished) clicked after the switch to live sends nothing', async () => {
    const sandbox = await startHarness({ env: SANDBOX_ENV });
    h = sandbox;
    const pending = await sandbox.request('i-abc123 key=sandbox-ops');
    const finished = await sandbox.request('i-abc124 i-missing01 key=sandbox-ops');
    await sandbox.click('approve', finished.requestId, 'UAPP1');
    await sandbox.waitForStatus(finished.requestId, 'done');
    const results = await sandbox.slack.waitFor(
      () => sandbox.threadPosts(finished.ts).find((c) => buttonValue(c, 'undo_request')),
      'the sandbox results',
    );
    await sandbox.stop({ keepFakes: true, keepData: true });

    // The same DATA_FILE (set explicitly), now live.
    h = await startHarness({ slack: sandbox.slack, ecs: sandbox.ecs, dataDir: sandbox.dataDir });
    // At start the pending sandbox request was closed, with an audit event naming the mode.
    const voided = await h.waitForStatus(pending.requestId, 'voided');
    expect(voided.stopped).toMatchObject({ reason: 'other_mode', mode: 'sandbox' });
    expect(await h.auditEvents(pending.requestId)).toContainEqual(
      expect.objectContaining({ type: 'voided', mode: 'sandbox', botMode: 'live' }),
    );
    const note = await h.slack.waitFor(
      () => h.threadPosts(pending.ts).find((c) => messageText(c).includes('sandbox mode')),
      'the thread note',
    );
    expect(messageText(note)).toContain('nothing was sent');

    const approve = await h.click('approve', pending.requestId, 'UAPP1');
    const undo = await h.clickButton(
      'undo_request',
      finished.requestId,
      'UREQ',
      String(results.params.ts),
    );
    const restart = await h.clickButton('restart_request', finished.requestId, 'UREQ');
    const retry = await h.clickButton('retry_failed', finished.requestId, 'UREQ');
    for (const { replyId } of [approve, undo, restart, retry]) {
      expect(String((await h.responseTo(replyId)).text)).toContain(
        'This request was made in sandbox mode and the bot now runs live; nothing was sent.',
      );
    }
    await h.bot.service.idle();
    expect(h.ecs.calls).toEqual([]);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(2);
  });
});

describe('what the plan leaves alone', () => {
  it('an undo leaves out an instance re-keyed since the attach, and says so on its card', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      keyPairs: [
        { keyPairId: 'kp-new0000001', keyPairName: 'new-key' },
        { keyPairId: 'kp-old0000001', keyPairName: 'old-key', fingerprint: '0a:0b' },
      ],
      instances: [
        { instanceId: 'i-keep00001', keyPairId: 'kp-old0000001' },
        { instanceId: 'i-rot000001', keyPairId: 'kp-old0000001' },
      ],
    });
    h = await startHarness({ ecs });
    const { requestId, ts } = await h.request('i-keep00001 i-rot000001 key=new-key');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    // Someone rotates the key on one instance after the attach.
    h.ecs.simulator.bind('i-rot000001', { keyPairId: 'kp-rot0000001', keyPairName: 'rotated' });

    await h.clickButton('undo_request', requestId, 'UREQ', ts);
    const card = await h.followUpCard(ts);
    const text = messageText(card);
    expect(text).toContain('Left alone: `i-rot000001` (key pair changed since the attach');
    expect(text).toContain(
      'Gives `old-key` · `kp-old0000001` (fingerprint `0a:0b`) back to 1 instance.',
    );
    const undoId = buttonValue(card, 'approve_request') as string;
    expect((await h.store(undoId)).instanceIds).toEqual(['i-keep00001']);
    expect((await h.store(undoId)).preview?.restoredKeyPairs).toEqual([
      expect.objectContaining({ keyPairId: 'kp-old0000001', fingerprint: '0a:0b' }),
    ]);
    await h.click('approve', undoId, 'UAPP2');
    await h.waitForStatus(undoId, 'done');
    expect(h.ecs.instance('i-keep00001')?.keyPairId).toBe('kp-old0000001');
    expect(h.ecs.instance('i-rot000001')?.keyPairId).toBe('kp-rot0000001');
    expect(h.ecs.timesApplied('i-rot000001')).toBe(1); // the attach only
  });

  it('a tag rule applies to an instance missing from the preview, and the card says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'akb-guard-'));
    try {
      const policy = join(dir, 'policy.yaml');
      await writeFile(
        policy,
        'rules:\n  - name: production\n    match: { tag: env=prod }\n    approvals: 2\n',
      );
      const ecs = await startFakeEcsApi({
        credentials: VOLC_CREDENTIALS,
        instances: [{ instanceId: 'i-web000001', tags: [{ key: 'env', value: 'dev' }] }],
        absent: ['i-gone00001'],
      });
      h = await startHarness({ ecs, env: { POLICY_FILE: policy } });
      const { card, requestId } = await h.request('i-web000001 i-gone00001 key=ops-key');
      expect(messageText(card)).toContain(
        'rule `production` (tags unknown: 1 instance missing from the answer; applied to be safe, 2 approvals)',
      );
      expect((await h.store(requestId)).approval.required).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('limits', () => {
  it('refuses the sixth open request, listing the five; nothing is stored or posted', async () => {
    h = await startHarness();
    const open: string[] = [];
    for (let i = 0; i < 5; i++) open.push((await h.request(`i-lim0000${i} key=ops-key`)).requestId);
    const cards = h.slack.callsTo('chat.postMessage').length;
    const { replyId } = await h.command('i-lim00009 key=ops-key');
    const text = String((await h.responseTo(replyId)).text);
    expect(text).toContain('You already have 5 requests waiting for approval');
    expect(text).toContain('MAX_OPEN_REQUESTS_PER_USER is 5');
    for (const id of open) expect(text).toContain(`\`${id}\``);
    await h.bot.service.idle();
    expect(await h.bot.service.recent({ limit: 10 })).toHaveLength(5);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(cards);
  });

  it('refuses a request in which the preview found none of the instances', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      absent: ['i-gone00001', 'i-gone00002'],
    });
    h = await startHarness({ ecs });
    const { replyId } = await h.command('i-gone00001 i-gone00002 key=ops-key');
    expect(String((await h.responseTo(replyId)).text)).toContain(
      'None of these 2 instances exists in `cn-beijing`, so nothing was requested.',
    );
    await h.bot.service.idle();
    expect(await h.bot.service.recent({ limit: 5 })).toHaveLength(0);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });
});

describe('the requester can take it back', () => {
  it('Cancel: the requester cancels (anyone else is refused), the card and status say so', async () => {
    h = await startHarness();
    const { requestId, card, ts } = await h.request('i-aaaa1111 key=ops-key');
    const button = (card.params.blocks as Array<{ elements?: Array<Record<string, unknown>> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === 'cancel_request');
    expect(button).toMatchObject({
      value: requestId,
      confirm: { title: { text: 'Cancel this request?' } },
    });

    const stranger = await h.clickButton('cancel_request', requestId, 'UAPP1', ts);
    expect(String((await h.responseTo(stranger.replyId)).text)).toContain(
      'Only <@UREQ>, who asked for this request, can cancel it.',
    );
    expect((await h.store(requestId)).status).toBe('pending');

    await h.clickButton('cancel_request', requestId, 'UREQ', ts);
    await h.waitForStatus(requestId, 'cancelled');
    const updated = await h.slack.waitFor(() => {
      const last = h.lastCardUpdate(ts);
      return last && messageText(last).includes('Cancelled by <@UREQ>') ? last : undefined;
    }, 'the cancelled card');
    expect(buttonValue(updated, 'approve_request')).toBeUndefined();
    expect(buttonValue(updated, 'cancel_request')).toBeUndefined();
    expect(messageText(updated)).toContain('Attach key pair: cancelled');

    const late = await h.click('approve', requestId, 'UAPP1');
    expect(String((await h.responseTo(late.replyId)).text)).toContain(
      'This request was cancelled by <@UREQ>',
    );
    const status = await h.command(`status ${requestId}`);
    expect(String((await h.responseTo(status.replyId)).text)).toContain(': cancelled');
    const history = await h.command('history');
    expect(JSON.stringify(await h.responseTo(history.replyId))).toContain('*cancelled*');
    expect((await h.auditEvents(requestId)).map((e) => e.type)).toContain('cancelled');
    await h.bot.service.idle();
    expect(h.ecs.callsFor('AttachKeyPair')).toHaveLength(0);
  });
});
