import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLOCKS } from '../../src/slack/ids.js';
import {
  buttonValue,
  type Harness,
  messageText,
  startHarness,
  VOLC_CREDENTIALS,
} from '../support/bot-harness.js';
import { type FakeInstanceSpec, startFakeEcsApi } from '../support/fake-ecs-api.js';
import type { RecordedSlackCall } from '../support/fake-slack-api.js';
import { viewSubmission } from '../support/slack-requests.js';

// Issue 21's one approval for the whole change, end to end over signed HTTP: then=restart binds,
// verifies, then restarts in waves the instances bound while RUNNING and verified; one thread;
// a failed wave halts the roll; the form's then checkbox; restarts: true in the policy; undo.

let h: Harness;
let dir: string | undefined;
afterEach(async () => {
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const OLD = { keyPairId: 'kp-alice00001', keyPairName: 'alice-2024' };
const held = (instanceId: string, extra: Partial<FakeInstanceSpec> = {}): FakeInstanceSpec => ({
  instanceId,
  ...OLD,
  ...extra,
});
const FLEET: FakeInstanceSpec[] = [
  held('i-rot00001'),
  held('i-rot00002'),
  held('i-rot00003'),
  held('i-rot00004'),
  held('i-rotstop1', { status: 'STOPPED' }),
  // Not holding alice-2024: never selected, never touched.
  { instanceId: 'i-other001', keyPairName: 'alice-2024-old' },
];

async function start(env: Record<string, string> = {}, instances = FLEET) {
  const ecs = await startFakeEcsApi({
    credentials: VOLC_CREDENTIALS,
    // The fake holds a reboot until a read has seen the instance down (transitionsOutlastARead).
    rebootMs: 50,
    strictInstances: true,
    keyPairs: [OLD, { keyPairId: 'kp-ops2027001', keyPairName: 'ops-2027' }],
    instances,
  });
  h = await startHarness({ ecs, env: { RESTART_WAVE_SIZE: '2', ...env } });
}

/** The thread's messages once the restart results are there. */
async function finalThread(ts: string): Promise<RecordedSlackCall[]> {
  return h.slack.waitFor(() => {
    const posts = h.threadPosts(ts);
    return posts.some((p) => messageText(p).includes('Restart results for request'))
      ? posts
      : undefined;
  }, 'the restart results');
}

/** The card once it says the request finished (card updates are coalesced, so awaited). */
function finishedCard(ts: string): Promise<string> {
  return h.slack.waitFor(() => {
    const text = messageText(h.lastCardUpdate(ts));
    return text.includes('Finished') ? text : undefined;
  }, 'the finished card');
}

function confirmOf(card: RecordedSlackCall): string {
  const blocks = card.params.blocks as Array<{ elements?: Array<Record<string, unknown>> }>;
  const approve = blocks
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'approve_request') as {
    confirm: Record<string, { text: string }>;
  };
  return `${approve.confirm.title?.text} ${approve.confirm.text?.text}`;
}

describe('rotating a key with one approval (then=restart)', () => {
  it('binds, verifies, then restarts the running verified ones in waves, in one thread', async () => {
    await start();
    const { requestId, card, ts } = await h.request('holding:alice-2024 key=ops-2027 then=restart');
    const text = messageText(card);
    expect(text).toContain('Attach key pair, then restart: waiting for approval');
    expect(text).toContain(
      'Binds `ops-2027` to 5 instances, then restarts the 4 running ones in waves of 2',
    );
    expect(text).toContain('Then, under the same approval:');
    expect(confirmOf(card)).toContain(
      'Bind, then restart? This binds the key pair to 5 instances in cn-beijing, then reboots the 4 running, verified ones in waves of 2.',
    );
    const stored = await h.store(requestId);
    expect(stored.next).toEqual({
      kind: 'restart',
      restart: { waveSize: 2, waveTimeoutMs: 600_000 },
    });

    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = await finalThread(ts);

    // The attach first, then the roll: waves of 2, never overlapping, the stopped one left out.
    const attachSeq = Math.max(...h.ecs.callsFor('AttachKeyPair').map((c) => c.seq));
    const reboots = h.ecs.callsFor('RebootInstances');
    expect(reboots.map((c) => c.instanceIds)).toEqual([
      ['i-rot00001', 'i-rot00002'],
      ['i-rot00003', 'i-rot00004'],
    ]);
    expect(reboots[0]?.seq).toBeGreaterThan(attachSeq);
    expect(h.ecs.timesRebooted('i-rotstop1')).toBe(0);
    expect(h.ecs.timesApplied('i-other001')).toBe(0);
    expect(h.ecs.instance('i-rot00003')?.keyPairName).toBe('ops-2027');
    // The reboots' ClientTokens continue the request's steps: never an attach's.
    const attachTokens = new Set(h.ecs.callsFor('AttachKeyPair').map((c) => c.clientToken));
    for (const r of reboots) expect(attachTokens.has(r.clientToken)).toBe(false);

    // One thread: the attach results (announcing the restart), then the restart results.
    const [attachResults, ...rest] = thread.map(messageText);
    expect(attachResults).toContain('Restarting 4 instances now, in waves of 2');
    expect(attachResults).toContain('Not restarted: `i-rotstop1` (bound while stopped');
    expect(buttonValue(thread[0] as RecordedSlackCall, 'undo_request')).toBeUndefined();
    const final = rest.join('\n');
    expect(final).toContain('Restart results for request');
    expect(final).toContain('`i-rot00004` restarted · key pair `ops-2027` in effect');
    const finalPost = thread.find((p) =>
      messageText(p).includes('Restart results'),
    ) as RecordedSlackCall;
    expect(buttonValue(finalPost, 'undo_request')).toBe(requestId);
    expect(buttonValue(finalPost, 'restart_request')).toBeUndefined();

    // The card ends with both totals.
    const lastCard = await finishedCard(ts);
    expect(lastCard).toContain('restart: 4 restarted');
    expect(lastCard).toContain(':tada:');

    const trail = await h.auditEvents(requestId);
    const planned = trail.find((e) => e.type === 'phase_planned');
    expect(planned).toMatchObject({
      phase: 'restart',
      instanceIds: ['i-rot00001', 'i-rot00002', 'i-rot00003', 'i-rot00004'],
      excluded: [{ instanceId: 'i-rotstop1', reason: 'stopped' }],
    });
    const types = trail.map((e) => e.type);
    // Planned after every attach step answered, journaled before the first reboot went out.
    const at = types.indexOf('phase_planned');
    const attachDone = trail.filter(
      (e, i) =>
        e.type === 'step_done' &&
        e.action !== 'RebootInstances' &&
        e.action !== 'WaitRunning' &&
        i > at,
    );
    expect(attachDone).toEqual([]);
    const firstReboot = trail.findIndex(
      (e) => e.type === 'restart_step_sent' && e.action === 'RebootInstances',
    );
    expect(firstReboot).toBeGreaterThan(at);
    expect(types.filter((t) => t === 'approved')).toHaveLength(1);
    expect(types.filter((t) => t === 'results_posted')).toHaveLength(1);
  });

  it('halts the roll at a failed wave, and leaves out what was not bound', async () => {
    await start({ RESTART_WAVE_SIZE: '1' });
    h.ecs.failInstance('i-rot00002', 'InvalidInstanceStatus', undefined, {
      action: 'RebootInstances',
    });
    h.ecs.failInstance('i-rot00004', 'InvalidResetAuthenticationAgent.NotFound');
    const { requestId, ts } = await h.request('holding:alice-2024 key=ops-2027 then=restart');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    const thread = (await finalThread(ts)).map(messageText).join('\n');
    expect(h.ecs.callsFor('RebootInstances').map((c) => c.instanceIds)).toEqual([
      ['i-rot00001'],
      ['i-rot00002'],
    ]);
    expect(h.ecs.timesRebooted('i-rot00003')).toBe(0);
    expect(thread).toContain('Not restarted: `i-rot00004` (the key pair was not bound to it');
    expect(thread).toContain('`i-rot00003` not started');
    const card = await finishedCard(ts);
    expect(card).toContain(':warning:');
    // The rest of the roll can be asked for again, with its own approval.
    const final = h
      .threadPosts(ts)
      .find((p) => messageText(p).includes('Restart results')) as RecordedSlackCall;
    expect(buttonValue(final, 'restart_request')).toBe(requestId);
    await h.clickButton('restart_request', requestId, 'UREQ', ts);
    const followUp = await h.followUpCard(ts);
    expect(messageText(followUp)).toContain('Restart 2 instances: waiting for approval');
  });

  it('asks more approvals of requests that restart when the policy says restarts: true', async () => {
    dir = await mkdtemp(join(tmpdir(), 'akb-rotation-'));
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      'rules:\n  - name: reboots\n    match: { restarts: true }\n    approvals: 2\n',
    );
    await start({ POLICY_FILE: policy });
    const plain = await h.request('i-rot00001 key=ops-2027');
    expect((await h.store(plain.requestId)).approval.required).toBe(1);
    const rotation = await h.request('i-rot00002 key=ops-2027 then=restart');
    expect((await h.store(rotation.requestId)).approval.required).toBe(2);
    expect(messageText(rotation.card)).toContain('rule `reboots` (it restarts instances');
    await h.click('approve', rotation.requestId, 'UAPP1');
    expect((await h.store(rotation.requestId)).status).toBe('pending');
    await h.click('approve', rotation.requestId, 'UAPP2');
    await h.waitForStatus(rotation.requestId, 'done');
    expect(h.ecs.timesRebooted('i-rot00002')).toBe(1);
  });

  it('undoes a rotation with its own approval: every instance gets its earlier key pair back', async () => {
    await start();
    const { requestId, ts } = await h.request('holding:alice-2024 key=ops-2027 then=restart');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    await finalThread(ts);
    await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results recorded');
    await h.clickButton('undo_request', requestId, 'UREQ', ts);
    const undoId = buttonValue(await h.followUpCard(ts), 'approve_request') as string;
    await h.click('approve', undoId, 'UAPP1');
    await h.waitForStatus(undoId, 'done');
    for (const id of ['i-rot00001', 'i-rot00002', 'i-rot00003', 'i-rot00004', 'i-rotstop1']) {
      expect(h.ecs.instance(id)?.keyPairName).toBe('alice-2024');
    }
    // The undo does not restart by itself.
    expect(h.ecs.timesRebooted('i-rot00001')).toBe(1);
  });

  it('takes then=restart from the form, and says both phases on the card', async () => {
    await start();
    await h.command('', { trigger: 'trigger-rotation' });
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0], 'views.open');
    const view = open.params.view as Record<string, unknown>;
    await h.sender.interaction(
      viewSubmission({
        view,
        userId: 'UREQ',
        values: {
          region: {
            region_select: { type: 'static_select', selected_option: { value: 'cn-beijing' } },
          },
          instances: {
            'instances_select:cn-beijing': { type: 'multi_external_select', selected_options: [] },
          },
          instance_ids: { instance_ids_input: { type: 'plain_text_input', value: '' } },
          key_pair: {
            'key_pair_select:cn-beijing': {
              type: 'external_select',
              selected_option: {
                text: { type: 'plain_text', text: 'ops' },
                value: 'kp-ops2027001',
              },
            },
          },
          selector: { selector_input: { type: 'plain_text_input', value: 'holding:alice-2024' } },
          // The contract's block id `then` (BLOCKS.next).
          [BLOCKS.next]: {
            then_options: {
              type: 'checkboxes',
              selected_options: [{ text: { type: 'plain_text', text: 'x' }, value: 'restart' }],
            },
          },
        },
      }),
    );
    const card = await h.slack.waitFor(
      () => h.slack.callsTo('chat.postMessage').find((c) => buttonValue(c, 'approve_request')),
      'the card',
    );
    expect(messageText(card)).toContain('Attach key pair, then restart');
    expect(messageText(card)).toContain('then restarts the 4 running ones in waves of 2');
    const requestId = buttonValue(card, 'approve_request') as string;
    expect((await h.store(requestId)).next?.kind).toBe('restart');
    await h.click('approve', requestId, 'UAPP1');
    await h.waitForStatus(requestId, 'done');
    expect(h.ecs.callsFor('RebootInstances')).toHaveLength(2);
  });
});
