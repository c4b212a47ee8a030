import { afterEach, describe, expect, it } from 'vitest';
import { accountFleet } from '../../src/sandbox/fleet.js';
import { buttonValue, type Harness, messageText, startHarness } from '../support/bot-harness.js';
import { makeTestKey } from '../support/ssh-keys.js';
import {
  PROD_CHANNEL,
  PROD_INSTANCE,
  STAGING_CHANNEL,
  STAGING_INSTANCE,
  STAGING_KEY,
  startTwoAccounts,
  type TwoAccounts,
} from '../support/two-accounts.js';

// Issue 24 end to end: one bot, two Volcengine accounts on loopback (prod through AssumeRole,
// staging with a key of its own), each inventory reachable only with its own credentials.

let h: Harness | undefined;
let two: TwoAccounts | undefined;
afterEach(async () => {
  await h?.stop({ keepFakes: true });
  await h?.slack.close();
  await two?.close();
  h = undefined;
  two = undefined;
});

async function start(env: Record<string, string> = {}) {
  two = await startTwoAccounts();
  h = await startHarness({ ecs: two.prod, env: { ...two.env, ...env } });
  return { h, two };
}

/** An attach approved and finished in `channel`; its id, card ts and first results message. */
async function finishedAttach(h: Harness, text: string, channel: string) {
  const { requestId, ts, card } = await h.request(text, { channel });
  await h.click('approve', requestId, 'UAPP1');
  const thread = await h.waitForThread(ts);
  await h.waitForStored(requestId, (r) => !!r.resultsPostedAt, 'results recorded');
  return { requestId, ts, card, results: thread[0] };
}

const mutations = (ecs: TwoAccounts['prod']) =>
  ecs.calls.filter((c) =>
    ['AttachKeyPair', 'DetachKeyPair', 'RebootInstances'].includes(c.action ?? ''),
  );

describe('several accounts', () => {
  it('gives each account its own fleet in sandbox mode', async () => {
    two = await startTwoAccounts();
    h = await startHarness({
      ecs: two.prod,
      env: {
        ACCOUNTS_FILE: two.accountsFile,
        VOLC_SANDBOX: 'true',
        VOLC_ACCESS_KEY_ID: '',
        VOLC_SECRET_ACCESS_KEY: '',
      },
    });
    const prodFirst = accountFleet('prod')[0]?.instanceId as string;
    const stagingFirst = accountFleet('staging')[0]?.instanceId as string;
    const prod = await h.request(`${prodFirst} key=sandbox-ops`, { channel: PROD_CHANNEL });
    expect(messageText(prod.card)).toContain('*Account*\\n`prod` · `2100000001`');
    expect((await h.store(prod.requestId)).preview?.instances.map((i) => i.instanceId)).toEqual([
      prodFirst,
    ]);
    const staging = await h.request(`${stagingFirst} key=sandbox-ops`, {
      channel: STAGING_CHANNEL,
    });
    const stored = await h.store(staging.requestId);
    expect(stored.account).toBe('staging');
    expect(stored.preview?.instances[0]?.name).toMatch(/^staging-/);
    expect((await h.store(prod.requestId)).preview?.instances[0]?.name).toMatch(/^prod-/);
    // Nothing reached the loopback fakes: sandbox mode signs nothing real.
    expect(two.prod.calls).toEqual([]);
    expect(two.sts.calls).toEqual([]);
  });

  it('runs a request per account, each with its own credentials, and names the account on the card', async () => {
    const { h, two } = await start();
    const prod = await finishedAttach(h, `${PROD_INSTANCE} key=ops-key`, PROD_CHANNEL);
    const staging = await finishedAttach(h, `${STAGING_INSTANCE} key=ops-key`, STAGING_CHANNEL);

    expect(two.prod.timesApplied(PROD_INSTANCE)).toBe(1);
    expect(two.staging.timesApplied(STAGING_INSTANCE)).toBe(1);
    // Neither account was ever asked about the other's instance.
    expect(two.prod.calls.some((c) => c.instanceIds.includes(STAGING_INSTANCE))).toBe(false);
    expect(two.staging.calls.some((c) => c.instanceIds.includes(PROD_INSTANCE))).toBe(false);
    // prod: only temporary keys from AssumeRole; staging: its own key.
    expect(two.prod.calls.every((c) => c.accessKeyId !== STAGING_KEY.accessKeyId)).toBe(true);
    expect(two.prod.calls.every((c) => c.auth.ok)).toBe(true);
    expect(two.staging.calls.every((c) => c.accessKeyId === STAGING_KEY.accessKeyId)).toBe(true);
    expect(two.sts.calls.length).toBeGreaterThan(0);

    // The card: account name, and the id the role's TRN names, next to the region.
    expect(messageText(prod.card)).toContain('*Account*\\n`prod` · `2100000001`');
    // staging's id, from STS GetCallerIdentity with its own key at start.
    expect(messageText(staging.card)).toContain('*Account*\\n`staging` · `2100000002`');
    expect(
      two.sts.calls.some(
        (c) =>
          c.query.Action === 'GetCallerIdentity' && c.auth.accessKeyId === STAGING_KEY.accessKeyId,
      ),
    ).toBe(true);
    const stored = await h.store(prod.requestId);
    expect(stored).toMatchObject({ account: 'prod', accountId: '2100000001', status: 'done' });
    expect((await h.store(staging.requestId)).account).toBe('staging');
    const requested = (await h.auditEvents(prod.requestId)).find((e) => e.type === 'requested');
    expect(requested).toMatchObject({ account: 'prod', accountId: '2100000001' });
    const trail = await h.auditEvents(prod.requestId);
    for (const type of ['approved', 'execution_started', 'finished']) {
      expect(trail.find((e) => e.type === type)).toMatchObject({ account: 'prod' });
    }
    // Every event of the request names its account and its id, the steps' and the results' too.
    expect(trail.map((e) => e.type)).toEqual(
      expect.arrayContaining(['step_sent', 'step_done', 'results_posted']),
    );
    for (const event of trail) {
      expect(event, event.type).toMatchObject({ account: 'prod', accountId: '2100000001' });
    }

    // The thread, status and history carry the account.
    expect(messageText(prod.results)).toContain('*Account*: `prod` · `2100000001`');
    const { replyId } = await h.command(`status ${prod.requestId}`, { channel: PROD_CHANNEL });
    expect(JSON.stringify(await h.responseTo(replyId))).toContain('`prod/cn-beijing`');
    const history = await h.command('history', { channel: PROD_CHANNEL });
    const listed = JSON.stringify(await h.responseTo(history.replyId));
    expect(listed).toContain('`prod/cn-beijing`');
    expect(listed).toContain('`staging/cn-beijing`');
  });

  it('uses the channel mapping, refuses another account there, and asks for account= elsewhere', async () => {
    const { h, two } = await start();
    const refused = await h.command(`${PROD_INSTANCE} key=ops-key account=staging`, {
      channel: PROD_CHANNEL,
    });
    const refusal = String((await h.responseTo(refused.replyId)).text);
    expect(refusal).toContain('This channel uses account prod; account staging may not be used');

    const ambiguous = await h.command(`${STAGING_INSTANCE} key=ops-key`, { channel: 'C0OTHER' });
    const required = String((await h.responseTo(ambiguous.replyId)).text);
    expect(required).toContain('add account=NAME, one of prod, staging');
    // The usage under the refusal says what account= takes.
    expect(required).toContain(
      'account=ACCOUNT — in one of the Volcengine accounts this bot serves: prod, staging',
    );

    const unknown = await h.command(`${STAGING_INSTANCE} key=ops-key account=qa`, {
      channel: 'C0OTHER',
    });
    expect(String((await h.responseTo(unknown.replyId)).text)).toContain(
      'names no account this bot serves',
    );
    // Nothing of the three reached either cloud.
    expect(two.prod.calls).toEqual([]);
    expect(two.staging.calls).toEqual([]);

    // Named, in an unmapped channel (and the Chinese full-width ＝ reads as =).
    const { requestId } = await h.request(`${STAGING_INSTANCE} key=ops-key account＝staging`, {
      channel: 'C0OTHER',
    });
    expect((await h.store(requestId)).account).toBe('staging');
    // A region the account does not allow is refused with its regions.
    const outside = await h.command(`${PROD_INSTANCE} key=ops-key region=cn-guangzhou`, {
      channel: PROD_CHANNEL,
    });
    expect(String((await h.responseTo(outside.replyId)).text)).toContain(
      'is not a region of account prod: use one of cn-beijing, cn-shanghai',
    );
  });

  it('runs an undo and a restart with the account of the request they follow', async () => {
    const { h, two } = await start();
    const { requestId, ts } = await finishedAttach(h, `${PROD_INSTANCE} key=ops-key`, PROD_CHANNEL);
    two.staging.calls.length = 0;

    await h.clickButton('undo_request', requestId, 'UREQ', ts);
    const undoCard = await h.followUpCard(ts);
    expect(messageText(undoCard)).toContain('`prod`');
    const undoId = buttonValue(undoCard, 'approve_request') as string;
    expect((await h.store(undoId)).account).toBe('prod');
    await h.click('approve', undoId, 'UAPP1');
    await h.waitForStatus(undoId, 'done');

    await h.clickButton('restart_request', requestId, 'UREQ', ts);
    const restartId = await h.slack.waitFor(() => {
      const cards = h.threadPosts(ts).filter((c) => buttonValue(c, 'approve_request'));
      return cards.map((c) => buttonValue(c, 'approve_request')).find((id) => id !== undoId);
    }, 'the restart card');
    expect((await h.store(restartId)).account).toBe('prod');
    await h.click('approve', restartId, 'UAPP1');
    await h.waitForStatus(restartId, 'done');

    expect(two.prod.timesRebooted(PROD_INSTANCE)).toBe(1);
    expect(two.prod.callsFor('DetachKeyPair').length).toBeGreaterThan(0);
    expect(two.staging.calls).toEqual([]);
  });

  it("keeps one account's AccessDenied to its own request", async () => {
    const { h, two } = await start();
    two.staging.failInstance(STAGING_INSTANCE, 'AccessDenied', 'not allowed: ecs:AttachKeyPair');
    const staging = await h.request(`${STAGING_INSTANCE} key=ops-key`, {
      channel: STAGING_CHANNEL,
    });
    const prod = await h.request(`${PROD_INSTANCE} key=ops-key`, { channel: PROD_CHANNEL });
    await h.click('approve', staging.requestId, 'UAPP1');
    await h.click('approve', prod.requestId, 'UAPP1');
    const failed = await h.waitForStored(
      staging.requestId,
      (r) => r.status === 'done' || r.status === 'failed',
      'the staging request to finish',
    );
    const done = await h.waitForStatus(prod.requestId, 'done');
    expect(two.prod.timesApplied(PROD_INSTANCE)).toBe(1);
    expect(two.staging.timesApplied(STAGING_INSTANCE)).toBe(0);
    expect(JSON.stringify(failed.steps)).toContain('AccessDenied');
    expect(JSON.stringify(done.steps)).not.toContain('AccessDenied');
    expect(mutations(two.prod).every((c) => c.status === 200)).toBe(true);
  });

  it('imports a key pair into the account of the channel', async () => {
    const { h, two } = await start();
    const key = makeTestKey('ed25519');
    const { replyId } = await h.command(`import team-key ${key.line}`, {
      channel: STAGING_CHANNEL,
    });
    expect(String((await h.responseTo(replyId)).text)).toContain('team-key');
    expect(two.staging.callsFor('ImportKeyPair')).toHaveLength(1);
    expect(two.prod.callsFor('ImportKeyPair')).toHaveLength(0);
    const elsewhere = await h.command(`import team-key ${key.line}`, { channel: 'C0OTHER' });
    expect(String((await h.responseTo(elsewhere.replyId)).text)).toContain(
      'add account=NAME, one of prod, staging',
    );
    const named = await h.command(`import team-key ${key.line} account=prod`, {
      channel: 'C0OTHER',
    });
    expect(String((await h.responseTo(named.replyId)).text)).toContain('team-key');
    expect(two.prod.callsFor('ImportKeyPair')).toHaveLength(1);
    expect(two.staging.callsFor('ImportKeyPair')).toHaveLength(1);
  });

  it("never queues one account's calls behind another's, even with a budget of one call", async () => {
    const { h, two } = await start({ VOLC_MAX_CONCURRENCY: '1' });
    // prod's read hangs (an outage), holding prod's only read slot.
    const held = two.prod.hold({ action: 'DescribeInstances' });
    await h.command(`${PROD_INSTANCE} key=ops-key`, { channel: PROD_CHANNEL });
    await held.arrived;
    const staging = await finishedAttach(h, `${STAGING_INSTANCE} key=ops-key`, STAGING_CHANNEL);
    expect((await h.store(staging.requestId)).status).toBe('done');
    held.release();
  });

  it('labels metrics by account, bounded to the configured names', async () => {
    const { h } = await start();
    await finishedAttach(h, `${PROD_INSTANCE} key=ops-key`, PROD_CHANNEL);
    const text = await (await fetch(`http://127.0.0.1:${h.metricsPort}/metrics`)).text();
    expect(text).toMatch(
      /attach_key_bot_volcengine_calls_total\{action="AttachKeyPair",outcome="ok",code="none",account="prod"\} 1/,
    );
    expect(text).toContain(
      'attach_key_bot_requests_finished_total{kind="attach",status="done",account="prod"} 1',
    );
    const accounts = new Set([...text.matchAll(/account="([^"]*)"/g)].map((m) => m[1]));
    expect([...accounts].every((a) => a === 'prod' || a === 'staging')).toBe(true);
    // The staging key never reaches a log line.
    expect(h.logs.join('\n')).not.toContain(STAGING_KEY.secretAccessKey);
  });
});
