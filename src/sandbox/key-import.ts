import { parsePublicKey } from '../domain/public-key.js';
import type { Inventory } from './inventory.js';
import { type Params, param, type SimError, simError } from './simulator-actions.js';

// ImportKeyPair in the simulator: the name rule of the API page, a real public key (parsed and
// fingerprinted as the bot does it, MD5 of the blob), no second key pair of that name in the
// region, and a ClientToken that replays the first answer.

// 2–64 characters: segments of letters, digits and "-", separated by dots.
const NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

export function createKeyImportSim(inventory: Inventory, now: () => number) {
  const tokens = new Map<string, { fingerprint: string; result: unknown }>();

  function importKeyPair({ region, params }: { region: string; params: Params }): unknown {
    const name = param(params, 'KeyPairName') ?? '';
    const publicKey = param(params, 'PublicKey') ?? '';
    const token = param(params, 'ClientToken');
    if (!name)
      return simError(
        400,
        'MissingParameter',
        'The required parameter KeyPairName is not supplied.',
      );
    if (name.length < 2 || name.length > 64 || !NAME.test(name)) return invalid('KeyPairName');
    const parsed = parsePublicKey(publicKey);
    if (!parsed.ok) {
      return simError(
        400,
        'InvalidParameter.PublicKey',
        'The specified PublicKey is not a valid public key.',
      );
    }
    const request = JSON.stringify([region, name, publicKey]);
    const earlier = token ? tokens.get(`${region}\n${token}`) : undefined;
    if (earlier) {
      return earlier.fingerprint === request
        ? earlier.result
        : simError(400, 'IdempotentParameterMismatch');
    }
    if (inventory.findKeyPair({ keyPairName: name }, region, false)) {
      return simError(400, 'InvalidKeyPair.Duplicate', `The key pair ${name} already exists.`);
    }
    const added = inventory.api.addKeyPair({
      keyPairId: `kp-imp${parsed.key.fingerprint.replace(/:/g, '').slice(0, 14)}${now().toString(36).slice(-4)}`,
      keyPairName: name,
      fingerprint: parsed.key.fingerprint,
      region,
    });
    const result = {
      KeyPairId: added.keyPairId,
      KeyPairName: added.keyPairName,
      FingerPrint: added.fingerprint,
    };
    if (token) tokens.set(`${region}\n${token}`, { fingerprint: request, result });
    return result;
  }

  return {
    handle(call: { action: string; region: string; params: Params }): unknown {
      return call.action === 'ImportKeyPair' ? importKeyPair(call) : undefined;
    },
    reset: () => tokens.clear(),
  };
}

function invalid(name: string): SimError {
  return simError(400, 'InvalidParameter', `The specified parameter ${name} is invalid.`);
}
