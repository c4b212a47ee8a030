import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VOLC_CREDENTIALS } from '../support/bot-harness.js';
import { startFakeEcsApi } from '../support/fake-ecs-api.js';

// Issue 18 over the real Bolt receiver: App Home's "Waiting for you" carries what the card shows
// an approver (channel, key pair and its fingerprint, the request fingerprint, the rules, the
// first instances with what approving changes on them, a link to the card); "Your requests" stays
// the caller's own.

let h: Harness;
let dir = '';
afterEach(async () => {
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openHome(user: string): Promise<string> {
  const before = h.slack.callsTo('views.publish').length;
  const body = JSON.stringify({
    token: 'x',
    team_id: 'T0FAKE',
    api_app_id: 'A0FAKE',
    type: 'event_callback',
    event_id: `Ev-${user}-${before}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: `D0${user}`, tab: 'home', event_ts: '1.0' },
  });
  const opened = await h.sender.raw(body, {
    ...h.sender.sign(body),
    'Content-Type': 'application/json',
  });
  expect(opened.status).toBe(200);
  const publish = await h.slack.waitFor(
    () =>
      h.slack
        .callsTo('views.publish')
        .slice(before)
        .find((c) => c.params.user_id === user),
    `App Home of ${user}`,
  );
  return JSON.stringify(publish.params.view);
}

describe('App Home', () => {
  it('shows an approver what the card shows, with a link to it; requesters see their own', async () => {
    dir = await mkdtemp(join(tmpdir(), 'akb-home-'));
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      'rules:\n  - name: production\n    match: { tag: env=prod }\n    approvals: 1\n    approvers: [UAPP1]\n',
    );
    const prod = [{ key: 'env', value: 'prod' }];
    const ecs = await startFakeEcsApi({
      credentials: VOLC_CREDENTIALS,
      keyPairs: [
        { keyPairId: 'kp-ops0000001', keyPairName: 'ops-key', fingerprint: '3c:9e:aa:71' },
        { keyPairId: 'kp-old0000001', keyPairName: 'old-key' },
      ],
      instances: [
        { instanceId: 'i-web0000001', name: 'web-01', keyPairName: 'old-key', tags: prod },
        { instanceId: 'i-web0000002', name: 'web-02', status: 'STOPPED' },
        { instanceId: 'i-win0000001', name: 'win-01', osType: 'Windows' },
        { instanceId: 'i-busy000001', name: 'busy-01', status: 'STOPPING' },
        { instanceId: 'i-has0000001', name: 'has-01', keyPairName: 'ops-key' },
        { instanceId: 'i-more000001', name: 'more-01' },
      ],
      strictInstances: true,
    });
    h = await startHarness({ ecs, env: { POLICY_FILE: policy } });
    const ids =
      'i-web0000001 i-web0000002 i-win0000001 i-busy000001 i-has0000001 i-more000001 i-gone000001';
    const { requestId, ts } = await h.request(`${ids} key=ops-key`, { channel: 'G0PRIV' });
    const stored = await h.store(requestId);

    const home = await openHome('UAPP1');
    expect(home).toContain('Waiting for you (1)');
    for (const shown of [
      'Posted in <#G0PRIV>',
      '`kp-ops0000001`',
      'fingerprint `3c:9e:aa:71`',
      `Request fingerprint \`${stored.fingerprint}\``,
      'Rules: rule `production`',
      'First 5 of 7 instances:',
      '`i-web0000001` web-01 · RUNNING · `old-key` — replaces `old-key`',
      '`i-web0000002` web-02 · STOPPED · no key pair — no key pair yet: password login stops',
      '— will fail: Windows',
      '— will fail: STOPPING',
      '`i-has0000001` has-01 · RUNNING · `ops-key` — already carries it: no change',
      `<https://fake.slack.test/archives/G0PRIV/p${ts.replace('.', '')}|Open the card>`,
    ]) {
      expect(home).toContain(shown);
    }
    expect(home).not.toContain('i-more000001');
    expect(h.slack.callsTo('chat.getPermalink')[0]?.params).toMatchObject({
      channel: 'G0PRIV',
      message_ts: ts,
    });
    // Only the requester's own requests under "Your requests".
    expect(home).toContain('You have not asked for anything yet.');
    expect(await openHome('UREQ')).toMatch(/Your requests.*ak-/);

    // Someone the rule does not name has nothing waiting, and sees none of it.
    const other = await openHome('UAPP2');
    expect(other).toContain('Waiting for you (0)');
    expect(other).not.toContain(requestId);
  });
});
