import { describe, expect, it } from 'vitest';
import { clientOn, createEcsStandIn, knownKey } from '../support/ecs-stand-in.js';

// DetachKeyPair and RebootInstances: the same checks, ClientToken rule and outcome reading as
// AttachKeyPair (whose wire behaviour ecs-client.test.ts covers over HTTP).

const KEY = { accessKeyId: 'AKLTbatchkey', secretAccessKey: 'BatchSecretKey0123==' };
const TOKEN = 'undo-20261128-abc';

function setup() {
  const api = createEcsStandIn({ keys: knownKey(KEY) });
  return { api, client: clientOn(api, { credentials: KEY }) };
}

describe('detachKeyPair', () => {
  it('sends InstanceIds.N, the key pair and the ClientToken, and reads per-instance errors', async () => {
    const { api, client } = setup();
    api.on('DetachKeyPair', (call) => ({
      result: {
        OperationDetails: call.instanceIds.map((id) => ({
          InstanceId: id,
          Error:
            id === 'i-win'
              ? { Code: 'InvalidKeyPairForWindows.Unsupported', Message: 'Windows' }
              : null,
        })),
      },
    }));
    const answer = await client.detachKeyPair({
      region: 'cn-shanghai',
      instanceIds: ['i-a', 'i-win'],
      keyPairName: 'ops',
      keyPairId: 'kp-ops',
      clientToken: TOKEN,
    });
    const [call] = api.calls;
    expect(call?.auth).toMatchObject({ ok: true, service: 'ecs', region: 'cn-shanghai' });
    expect(call?.query).toEqual({
      Action: 'DetachKeyPair',
      Version: '2020-04-01',
      'InstanceIds.1': 'i-a',
      'InstanceIds.2': 'i-win',
      KeyPairName: 'ops',
      KeyPairId: 'kp-ops',
      ClientToken: TOKEN,
    });
    expect(answer).toEqual({
      requestId: 'standin-0001',
      outcomes: [
        { instanceId: 'i-a', ok: true },
        {
          instanceId: 'i-win',
          ok: false,
          code: 'InvalidKeyPairForWindows.Unsupported',
          message: 'Windows',
        },
      ],
    });
  });

  it('refuses bad input before sending anything', async () => {
    const { api, client } = setup();
    const base = {
      region: 'cn-beijing',
      instanceIds: ['i-a'],
      keyPairName: 'ops',
      clientToken: TOKEN,
    };
    const cases: Array<[Parameters<typeof client.detachKeyPair>[0], string]> = [
      [{ ...base, instanceIds: [] }, 'MissingParameter.InstanceIds'],
      [
        { ...base, instanceIds: Array.from({ length: 101 }, (_, i) => `i-${i}`) },
        'LimitExceeded.MaximumInstanceIds',
      ],
      [{ ...base, keyPairName: undefined }, 'MissingParameter.KeyPairNameAndKeyPairId'],
      [{ ...base, clientToken: '' }, 'InvalidClientToken.Malformed'],
    ];
    for (const [input, code] of cases) {
      await expect(client.detachKeyPair(input)).rejects.toMatchObject({ code, retryable: false });
    }
    expect(api.calls).toHaveLength(0);
  });
});

describe('rebootInstances', () => {
  it('always sends ForceStop=false and retries with the same ClientToken', async () => {
    const { api, client } = setup();
    let attempts = 0;
    api.on('RebootInstances', (call) => {
      attempts += 1;
      if (attempts === 1) return { status: 500, error: { code: 'InternalError' } };
      return { result: { OperationDetails: call.instanceIds.map((id) => ({ InstanceId: id })) } };
    });
    const answer = await client.rebootInstances({
      region: 'cn-beijing',
      instanceIds: ['i-a', 'i-b'],
      clientToken: TOKEN,
    });
    expect(api.calls).toHaveLength(2);
    for (const call of api.calls) {
      expect(call.query).toEqual({
        Action: 'RebootInstances',
        Version: '2020-04-01',
        'InstanceIds.1': 'i-a',
        'InstanceIds.2': 'i-b',
        ForceStop: 'false',
        ClientToken: TOKEN,
      });
    }
    expect(answer.outcomes).toEqual([
      { instanceId: 'i-a', ok: true },
      { instanceId: 'i-b', ok: true },
    ]);
  });

  it('refuses a missing ClientToken before sending', async () => {
    const { api, client } = setup();
    await expect(
      client.rebootInstances({
        region: 'cn-beijing',
        instanceIds: ['i-a'],
        clientToken: 'x'.repeat(65),
      }),
    ).rejects.toMatchObject({ code: 'InvalidClientToken.Malformed' });
    expect(api.calls).toHaveLength(0);
  });
});
