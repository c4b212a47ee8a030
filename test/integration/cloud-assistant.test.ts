import { afterEach, describe, expect, it } from 'vitest';
import { renderApplyScript } from '../../src/domain/apply-script.js';
import { type PublicKeyType, parsePublicKey } from '../../src/domain/public-key.js';
import { createEcsClient, type EcsClient } from '../../src/volcengine/ecs-client.js';
import { VOLC_CREDENTIALS } from '../support/bot-harness.js';
import { type FakeEcsApi, startFakeEcsApi } from '../support/fake-ecs-api.js';
import { makeTestKey } from '../support/ssh-keys.js';

// The client's Cloud Assistant and ImportKeyPair calls against the loopback fake ECS (every
// signature verified), and the simulator behind it: agents, a RunCommand refused as a whole when
// one instance cannot run it, results that settle after the command's time, the bot's own script
// applied to each instance's authorized_keys, and ImportKeyPair's name, key and token rules.

let ecs: FakeEcsApi;
let client: EcsClient;
afterEach(async () => {
  await client?.close();
  await ecs?.close();
});

async function setup(
  options: Parameters<typeof startFakeEcsApi>[0] = { credentials: VOLC_CREDENTIALS },
) {
  ecs = await startFakeEcsApi({ commandMs: 40, ...options });
  client = createEcsClient({
    endpoint: ecs.url,
    credentials: VOLC_CREDENTIALS,
    timeoutMs: 2_000,
    maxAttempts: 3,
    deadlineMs: 5_000,
    sleep: async () => {},
  });
}

const KEY = makeTestKey('ed25519');
const script = (requestId = 'ak-ca0001') =>
  renderApplyScript({ requestId, key: { type: KEY.type as PublicKeyType, blob: KEY.blob } });

describe('Cloud Assistant through the client', () => {
  it('reads agents: Running, absent (not listed) and Lost on a stopped instance', async () => {
    await setup();
    ecs.addInstance({ instanceId: 'i-down0001', status: 'STOPPED' });
    const read = await client.cloudAssistantStatus({
      region: 'cn-beijing',
      instanceIds: ['i-up000001', 'i-noassist01', 'i-down0001'],
    });
    expect(read.agents).toEqual([
      { instanceId: 'i-up000001', status: 'Running' },
      { instanceId: 'i-down0001', status: 'Lost' },
    ]);
    const [call] = ecs.callsFor('DescribeCloudAssistantStatus');
    expect(call?.auth.ok).toBe(true);
    expect(call?.query).toMatchObject({
      'InstanceIds.3': 'i-down0001',
      PageNumber: '1',
      PageSize: '100',
    });
  });

  it('runs the script once, finds the invocation by name, and reads its results when they settle', async () => {
    await setup({ credentials: VOLC_CREDENTIALS, commandMs: 1_000 });
    const ran = await client.runCommand({
      region: 'cn-beijing',
      instanceIds: ['i-run00001', 'i-scriptfail1'],
      invocationName: 'attach-key-bot-ak-ca0001-r1',
      script: script(),
      username: 'root',
      timeoutSeconds: 60,
    });
    const [call] = ecs.callsFor('RunCommand');
    expect(call?.auth.ok).toBe(true);
    expect(call?.query).toMatchObject({
      Type: 'Shell',
      ContentEncoding: 'Base64',
      Username: 'root',
      Timeout: '60',
      WorkingDir: '/',
      InvocationName: 'attach-key-bot-ak-ca0001-r1',
    });
    expect(Buffer.from(call?.query.CommandContent ?? '', 'base64').toString()).toBe(script());

    const read = () =>
      client.invocationResultsPage({
        region: 'cn-beijing',
        invocationId: ran.invocationId,
        pageNumber: 1,
        pageSize: 100,
      });
    const early = await read();
    expect(early.results.map((r) => r.status)).toEqual(['Running', 'Running']);
    const found = await client.findInvocation({
      region: 'cn-beijing',
      invocationName: 'attach-key-bot-ak-ca0001-r1',
    });
    expect(found.invocation?.invocationId).toBe(ran.invocationId);
    expect(
      (
        await client.findInvocation({
          region: 'cn-beijing',
          invocationName: 'attach-key-bot-other',
        })
      ).invocation,
    ).toBeUndefined();

    let late = await read();
    while (late.results.some((r) => r.status === 'Running')) {
      await new Promise((r) => setTimeout(r, 50));
      late = await read();
    }
    expect(late.results).toEqual([
      {
        instanceId: 'i-run00001',
        status: 'Success',
        exitCode: 0,
        output: 'attach-key-bot: added removed=0\n',
      },
      expect.objectContaining({ instanceId: 'i-scriptfail1', status: 'Failed', exitCode: 1 }),
    ]);
    expect(ecs.authorizedKeys('i-run00001')).toBe(
      `${KEY.type} ${KEY.blob} attach-key-bot ak-ca0001\n`,
    );
  });

  it('never retries RunCommand by itself: no ClientToken exists to make a resend safe', async () => {
    await setup();
    ecs.script({
      action: 'RunCommand',
      kind: 'error',
      status: 500,
      code: 'InternalError',
      apply: true,
    });
    await expect(
      client.runCommand({
        region: 'cn-beijing',
        instanceIds: ['i-once0001'],
        invocationName: 'attach-key-bot-ak-once-r1',
        script: script('ak-once'),
        username: 'root',
        timeoutSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'InternalError', retryable: true });
    expect(ecs.callsFor('RunCommand')).toHaveLength(1);
    // The API ran it anyway: the name finds it.
    expect(ecs.invocations()).toHaveLength(1);
  });

  it('refuses a RunCommand as a whole when one instance cannot run it', async () => {
    await setup();
    await expect(
      client.runCommand({
        region: 'cn-beijing',
        instanceIds: ['i-fine0001', 'i-noassist02'],
        invocationName: 'attach-key-bot-ak-x-r1',
        script: script(),
        username: 'root',
        timeoutSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'InvalidInstanceId.Unregister' });
    expect(ecs.invocations()).toHaveLength(0);
  });

  it('fails any script that is not the bot’s own', async () => {
    await setup();
    const ran = await client.runCommand({
      region: 'cn-beijing',
      instanceIds: ['i-other001'],
      invocationName: 'attach-key-bot-ak-y-r1',
      script: '#!/bin/bash\nrm -rf /\n',
      username: 'root',
      timeoutSeconds: 60,
    });
    await new Promise((r) => setTimeout(r, 60));
    const page = await client.invocationResultsPage({
      region: 'cn-beijing',
      invocationId: ran.invocationId,
      pageNumber: 1,
      pageSize: 10,
    });
    expect(page.results[0]).toMatchObject({ status: 'Failed', exitCode: 127 });
    expect(ecs.authorizedKeys('i-other001')).toBeUndefined();
  });
});

describe('ImportKeyPair through the client', () => {
  const fingerprint = (line: string) => {
    const parsed = parsePublicKey(line);
    if (!parsed.ok) throw new Error('bad key');
    return parsed.key.fingerprint;
  };

  it('imports a new name with the key’s fingerprint, once per ClientToken', async () => {
    await setup({ credentials: VOLC_CREDENTIALS, strictKeyPairs: true, keyPairs: [] });
    const call = {
      region: 'cn-beijing',
      keyPairName: 'ops-key.2026',
      publicKey: KEY.line,
      clientToken: 'akb-import-test-1',
    };
    const first = await client.importKeyPair(call);
    expect(first).toMatchObject({
      keyPairName: 'ops-key.2026',
      fingerprint: fingerprint(KEY.line),
    });
    expect(await client.importKeyPair(call)).toEqual({ ...first, requestId: expect.any(String) });
    expect(ecs.simulator.keyPairs('cn-beijing')).toHaveLength(1);
    expect(
      ecs.callsFor('ImportKeyPair').every((c) => c.auth.ok && c.query.PublicKey === KEY.line),
    ).toBe(true);
    await expect(
      client.importKeyPair({ ...call, clientToken: 'akb-import-test-2' }),
    ).rejects.toMatchObject({ code: 'InvalidKeyPair.Duplicate' });
    await expect(
      client.importKeyPair({ ...call, keyPairName: 'bad_name', clientToken: 'akb-import-test-3' }),
    ).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(
      client.importKeyPair({
        ...call,
        keyPairName: 'other',
        publicKey: 'ssh-ed25519 AAAA',
        clientToken: 't4',
      }),
    ).rejects.toMatchObject({ code: 'InvalidParameter.PublicKey' });
  });
});
