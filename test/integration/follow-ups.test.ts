import { afterEach, describe, expect, it } from 'vitest';
import {
  buttonValue,
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 11 end to end over signed HTTP: verification lines, the restart card in the thread with
// the usual rules, waves that never overlap, a halted roll, the duplicate click, and the undo.

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** An attach approved and finished; returns its id, card ts and the first results message. */
async function finishedAttach(text: string) {
  const { requestId, ts } = await h.request(text);
  await h.click('approve', requestId, 'UAPP1');
  const thread = await h.waitForThread(ts);
  await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results recorded');
  return { requestId, ts, results: thread[0] };
}

describe('after the key is bound', () => {
  it('verifies each instance and flags one that shows another key pair', async () => {
    const ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS });
    h = await startHarness({ ecs });
    h.ecs.addKeyPair({ keyPairId: 'kp-other00001', keyPairName: 'other-key' });
    // The API answers ok for i-sneaky01, but the read-back shows another key (bound meanwhile).
    h.ecs.script({ action: 'AttachKeyPair', kind: 'ok' });
    const { requestId, ts } = await h.request('i-good00001 i-sneaky01 key=ops-key');
    const original = h.ecs.simulator.handle.bind(h.ecs.simulator);
    h.ecs.simulator.handle = (call) => {
      const answer = original(call);
      if (call.action === 'AttachKeyPair')
        h.ecs.simulator.bind('i-sneaky01', {
          keyPairId: 'kp-other00001',
          keyPairName: 'other-key',
        });
      return answer;
    };
    await h.click('approve', requestId, 'UAPP1');
    const text = (await h.waitForThread(ts)).map(messageText).join('\n');
    expect(text).toContain('`i-good00001` ok · verified');
    expect(text).toContain('`i-sneaky01` ok, but the instance shows `other-key` instead');
    expect(text).toContain('1 show another key pair');
  });

  it('restarts in waves after its own approval, never overlapping, and reports each instance', async () => {
    const ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS, rebootMs: 60 });
    h = await startHarness({ ecs, env: { RESTART_WAVE_SIZE: '2' } });
    h.ecs.addInstance({ instanceId: 'i-stop00001', status: 'STOPPED' });
    const { ts, results } = await finishedAttach(
      'i-rst000001 i-rst000002 i-rst000003 i-stop00001 key=ops-key',
    );
    const resultsText = messageText(results);
    expect(resultsText).toContain('Takes effect at its next start');
    const parentId = buttonValue(results as never, 'restart_request') as string;
    expect(resultsText).toContain('Restart 3 instances…');

    // Someone not allowed to request? Anyone may here; the requester clicks.
    const { replyId } = await h.clickButton('restart_request', parentId, 'UREQ', ts);
    const card = await h.followUpCard(ts);
    expect(messageText(card)).toContain('Restart 3 instances: waiting for approval');
    expect(messageText(card)).toContain('Not restarted: `i-stop00001`');
    const restartId = buttonValue(card, 'approve_request') as string;

    // A second click while it is pending creates nothing.
    const again = await h.clickButton('restart_request', parentId, 'UAPP2', ts);
    expect(String((await h.responseTo(again.replyId)).text)).toContain('was already asked for');
    expect(h.slack.responses.find((r) => r.id === replyId)).toBeUndefined();

    await h.click('approve', restartId, 'UAPP1');
    await h.waitForStatus(restartId, 'done');
    const reboots = h.ecs.callsFor('RebootInstances');
    expect(reboots.map((c) => c.instanceIds)).toEqual([
      ['i-rst000001', 'i-rst000002'],
      ['i-rst000003'],
    ]);
    expect(reboots.map((c) => c.query.ForceStop)).toEqual(['false', 'false']);
    // The second wave was sent only after a read saw the first wave RUNNING again.
    const secondAt = reboots[1]?.seq ?? 0;
    const readsBetween = h.ecs
      .callsFor('DescribeInstances')
      .filter((c) => c.seq > (reboots[0]?.seq ?? 0) && c.seq < secondAt);
    expect(readsBetween.length).toBeGreaterThan(0);
    expect(h.ecs.timesRebooted('i-rst000001')).toBe(1);
    expect(h.ecs.timesRebooted('i-stop00001')).toBe(0);
    const thread = await h.slack.waitFor(() => {
      const posts = h.threadPosts(ts).map(messageText).join('\n');
      return posts.includes('Restart results') ? posts : undefined;
    }, 'the restart results');
    expect(thread).toContain('`i-rst000001` restarted · key pair `ops-key` in effect');
  });

  it('halts the roll when a wave has a failure: later waves never start', async () => {
    const ecs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS, rebootMs: 30 });
    h = await startHarness({ ecs, env: { RESTART_WAVE_SIZE: '1' } });
    const { ts, requestId } = await finishedAttach(
      'i-halt00001 i-halt00002 i-halt00003 key=ops-key',
    );
    h.ecs.failInstance('i-halt00002', 'InvalidInstanceStatus', undefined, {
      action: 'RebootInstances',
    });
    await h.clickButton('restart_request', requestId, 'UREQ', ts);
    const restartId = buttonValue(await h.followUpCard(ts), 'approve_request') as string;
    await h.click('approve', restartId, 'UAPP1');
    await h.waitForStatus(restartId, 'done');
    expect(h.ecs.callsFor('RebootInstances').map((c) => c.instanceIds)).toEqual([
      ['i-halt00001'],
      ['i-halt00002'],
    ]);
    const thread = await h.slack.waitFor(() => {
      const posts = h.threadPosts(ts).map(messageText).join('\n');
      return posts.includes('Restart results') ? posts : undefined;
    }, 'the restart results');
    expect(thread).toContain('`i-halt00003` not started');
    expect(thread).toContain('1 not started');
  });

  it('undoes a binding: the earlier key pair back, the new one removed where there was none', async () => {
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      keyPairs: [
        { keyPairId: 'kp-new0000001', keyPairName: 'new-key' },
        { keyPairId: 'kp-old0000001', keyPairName: 'old-key' },
      ],
      instances: [
        { instanceId: 'i-undo00001', keyPairId: 'kp-old0000001', keyPairName: 'old-key' },
        { instanceId: 'i-undo00002' },
      ],
    });
    h = await startHarness({ ecs });
    const { ts, requestId, results } = await finishedAttach('i-undo00001 i-undo00002 key=new-key');
    expect(buttonValue(results as never, 'undo_request')).toBe(requestId);
    await h.clickButton('undo_request', requestId, 'UREQ', ts);
    const card = await h.followUpCard(ts);
    // The earlier key pair as read at the ask: name, id and fingerprint (issue 19).
    expect(messageText(card)).toMatch(
      /Gives `old-key` · `kp-old0000001` \(fingerprint `[0-9a-f:]+`\) back to 1 instance\./,
    );
    expect(messageText(card)).toContain('*Key pair taken back*\\n`new-key` · `kp-new0000001`');
    expect(messageText(card)).toContain(
      'Removes `new-key` from 1 instance that had no key pair before.',
    );
    const undoId = buttonValue(card, 'approve_request') as string;
    await h.click('approve', undoId, 'UAPP1');
    await h.waitForStatus(undoId, 'done');
    expect(h.ecs.instance('i-undo00001')?.keyPairName).toBe('old-key');
    expect(h.ecs.instance('i-undo00002')?.keyPairName).toBeFalsy();
    expect(h.ecs.timesDetached('i-undo00002')).toBe(1);
    const undoResults = await h.slack.waitFor(
      () => h.threadPosts(ts).find((c) => messageText(c).includes('Undo results')),
      'the undo results',
    );
    expect(messageText(undoResults)).toMatch(/Restart these 2 instances/);
    expect(buttonValue(undoResults, 'restart_request')).toBe(undoId);
    const events = (await h.auditEvents(undoId)).map((e) => e.type);
    expect(events).toEqual(
      expect.arrayContaining([
        'undo_requested',
        'undo_approved',
        'undo_step_sent',
        'undo_step_done',
        'undo_finished',
      ]),
    );
    const trail = await h.auditEvents(undoId);
    expect(trail.find((e) => e.type === 'undo_step_sent')).toMatchObject({
      clientToken: `${undoId}-b0`,
      action: 'AttachKeyPair',
    });
    expect(trail.find((e) => e.type === 'undo_step_done')?.apiRequestId).toEqual(
      expect.any(String),
    );
  });
});
