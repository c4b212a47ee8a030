import { describe, expect, it } from 'vitest';
import { renderApplyScript } from '../../src/domain/apply-script.js';
import { type PublicKeyType, parsePublicKey } from '../../src/domain/public-key.js';
import { createSandboxTransport } from '../../src/sandbox/transport.js';
import { createEcsClient } from '../../src/volcengine/ecs-client.js';
import { makeTestKey } from '../support/ssh-keys.js';

// The sandbox's Cloud Assistant and ImportKeyPair behind the real client (VOLC_SANDBOX=true):
// `noassist` has no agent, `scriptfail` fails the script, a `new…` key pair exists only once
// imported, and a second apply finds the key already there.

function setup() {
  let now = Date.parse('2025-03-04T05:06:07Z');
  const sandbox = createSandboxTransport({ latencyMs: 0, now: () => new Date(now) });
  const client = createEcsClient({
    endpoint: 'https://open.volcengineapi.com',
    credentials: { accessKeyId: 'AKLTsandboxkey', secretAccessKey: 'sandbox-secret-value' },
    timeoutMs: 5_000,
    maxAttempts: 1,
    deadlineMs: 10_000,
    transport: sandbox,
    now: () => new Date(now),
  });
  return { sandbox, client, advance: (ms: number) => (now += ms) };
}

const KEY = makeTestKey('ed25519', 'sandbox@try');
const script = (requestId: string) =>
  renderApplyScript({ requestId, key: { type: KEY.type as PublicKeyType, blob: KEY.blob } });

describe('the sandbox for apply now', () => {
  it('imports a new… key pair once; any other name exists with another fingerprint', async () => {
    const { client } = setup();
    const region = 'cn-beijing';
    expect(await client.findKeyPair({ region, keyPairName: 'new-laptop-key' })).toBeUndefined();
    const imported = await client.importKeyPair({
      region,
      keyPairName: 'new-laptop-key',
      publicKey: KEY.line,
      clientToken: 'akb-import-sandbox',
    });
    const parsed = parsePublicKey(KEY.line);
    expect(parsed.ok && imported.fingerprint).toBe(parsed.ok ? parsed.key.fingerprint : '');
    expect((await client.findKeyPair({ region, keyPairName: 'new-laptop-key' }))?.keyPairId).toBe(
      imported.keyPairId,
    );
    const other = await client.findKeyPair({ region, keyPairName: 'sandbox-ops' });
    expect(other?.fingerprint).not.toBe(imported.fingerprint);
  });

  it('has no agent on noassist, fails scriptfail, and applies the script once per key', async () => {
    const { client, sandbox, advance } = setup();
    const region = 'cn-beijing';
    const agents = await client.cloudAssistantStatus({
      region,
      instanceIds: ['i-abc123', 'i-noassist01', 'i-stopped01'],
    });
    expect(agents.agents).toEqual([
      { instanceId: 'i-abc123', status: 'Running' },
      { instanceId: 'i-stopped01', status: 'Lost' },
    ]);
    const run = (requestId: string, ids: string[]) =>
      client.runCommand({
        region,
        instanceIds: ids,
        invocationName: `attach-key-bot-${requestId}-r1`,
        script: script(requestId),
        username: 'root',
        timeoutSeconds: 60,
      });
    await expect(run('ak-sbx1', ['i-abc123', 'i-noassist01'])).rejects.toMatchObject({
      code: 'InvalidInstanceId.Unregister',
    });
    const first = await run('ak-sbx2', ['i-abc123', 'i-scriptfail01']);
    const page = (invocationId: string) =>
      client.invocationResultsPage({ region, invocationId, pageNumber: 1, pageSize: 100 });
    expect((await page(first.invocationId)).results.map((r) => r.status)).toEqual([
      'Running',
      'Running',
    ]);
    advance(1_000);
    const done = await page(first.invocationId);
    expect(done.results).toEqual([
      expect.objectContaining({ status: 'Success', output: 'attach-key-bot: added removed=0\n' }),
      expect.objectContaining({ status: 'Failed', exitCode: 1 }),
    ]);
    const second = await run('ak-sbx3', ['i-abc123']);
    advance(1_000);
    expect((await page(second.invocationId)).results[0]?.output).toBe(
      'attach-key-bot: present removed=0\n',
    );
    expect(sandbox.inventory.simulator.authorizedKeys('i-abc123')).toBe(
      `${KEY.type} ${KEY.blob} attach-key-bot ak-sbx2\n`,
    );
  });
});
