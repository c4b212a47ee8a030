import { createHash } from 'node:crypto';
import { chooseAccount } from '../domain/accounts.js';
import { type PublicKey, publicKeyLine, sameFingerprint } from '../domain/public-key.js';
import { ecsOf, type ServiceContext } from './context.js';
import type { KnownPublicKey } from './key-registry.js';
import { toStepError } from './ports.js';
import type { CheckRequester, SubmitRefusal } from './submit.js';

// `/attach-key import NAME PUBLIC-KEY`: a key pair the bot can later push with "apply now". A new
// name is imported into the region (ImportKeyPair: it binds nothing, so no approval) and the
// answer's fingerprint must be the one computed here; an existing name only has its public key
// recorded, and only when the fingerprints agree. Either way the key lands in the registry, and
// every outcome is audited under an id of its own.

export type ImportRefusal =
  /** The requester rules (who may ask, where, Slack Connect). */
  | SubmitRefusal
  /** The region has a key pair of that name with another key. */
  | {
      reason: 'fingerprint_mismatch';
      keyPairName: string;
      keyPairId: string;
      existing: string;
      given: string;
    }
  /** ImportKeyPair's rule: 2–64 characters, segments of letters, digits and "-" joined by dots. */
  | { reason: 'import_name_invalid'; keyPairName: string }
  /** A call failed (permission, network…): nothing was recorded. */
  | {
      reason: 'import_call_failed';
      action: 'DescribeKeyPairs' | 'ImportKeyPair';
      code: string;
      message: string;
    }
  /** The API computed another fingerprint than ours: nothing was recorded. */
  | {
      reason: 'import_fingerprint_differs';
      keyPairName: string;
      keyPairId: string;
      api: string;
      ours: string;
    };

export type ImportResult =
  | {
      ok: true;
      /** `imported`: created now; `recorded`: it existed and its public key is now known. */
      outcome: 'imported' | 'recorded';
      importId: string;
      keyPairName: string;
      keyPairId: string;
      region: string;
      fingerprint: string;
    }
  | { ok: false; refusal: ImportRefusal; importId?: string };

const IMPORT_NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

export function createKeyImports(ctx: ServiceContext, checkRequester: CheckRequester) {
  const { deps } = ctx;

  async function importPublicKey(input: {
    userId: string;
    channelId: string;
    region: string;
    keyPairName: string;
    key: PublicKey;
    /** `account=NAME` on the command. */
    account?: string;
    /** The requester belongs to another workspace (Slack Connect). */
    external?: boolean;
  }): Promise<ImportResult> {
    const early = checkRequester(input.userId, input.channelId, input);
    if (early) return { ok: false, refusal: early };
    // ACCOUNTS_FILE: the key pair goes to the channel's account (or the only one).
    let account: string | undefined;
    if (!deps.settings.accounts && input.account !== undefined && input.account !== 'default') {
      const problem = {
        kind: 'unknown_account' as const,
        token: `account=${input.account}`,
        names: ['default'],
      };
      return { ok: false, refusal: { reason: 'account_refused', problem } };
    }
    if (deps.settings.accounts) {
      const choice = chooseAccount(deps.settings.accounts, input.channelId, input.account);
      if (!choice.ok)
        return { ok: false, refusal: { reason: 'account_refused', problem: choice.problem } };
      account = choice.account.name;
    }
    const ecs = ecsOf(deps, account);
    const { region, keyPairName, key } = input;
    const importId = deps.newRequestId();
    const base = {
      requestId: importId,
      kind: 'import',
      actor: input.userId,
      ...(account ? { account } : {}),
      region,
      keyPairName,
    };
    const refuse = async (refusal: ImportRefusal): Promise<ImportResult> => {
      await ctx.record({
        type: 'key_import_refused',
        ...base,
        fingerprint: key.fingerprint,
        refusal,
      });
      deps.logger.info('key import refused', { importId, region, reason: refusal.reason });
      return { ok: false, refusal, importId };
    };

    let existing: Awaited<ReturnType<typeof ecs.findKeyPair>>;
    try {
      existing = await ecs.findKeyPair({ region, keyPairName });
    } catch (error) {
      return refuse(callFailed('DescribeKeyPairs', error));
    }
    let outcome: 'imported' | 'recorded';
    let keyPairId: string;
    let apiRequestId: string | undefined;
    if (existing) {
      if (!sameFingerprint(existing.fingerprint, key.fingerprint)) {
        return refuse({
          reason: 'fingerprint_mismatch',
          keyPairName,
          keyPairId: existing.keyPairId,
          existing: existing.fingerprint || '?',
          given: key.fingerprint,
        });
      }
      outcome = 'recorded';
      keyPairId = existing.keyPairId;
    } else {
      if (keyPairName.length < 2 || keyPairName.length > 64 || !IMPORT_NAME.test(keyPairName)) {
        return refuse({ reason: 'import_name_invalid', keyPairName });
      }
      try {
        const imported = await ecs.importKeyPair({
          region,
          keyPairName,
          publicKey: publicKeyLine(key),
          clientToken: importToken(region, keyPairName, key.fingerprint),
        });
        apiRequestId = imported.requestId;
        if (!sameFingerprint(imported.fingerprint, key.fingerprint)) {
          return refuse({
            reason: 'import_fingerprint_differs',
            keyPairName,
            keyPairId: imported.keyPairId,
            api: imported.fingerprint || '?',
            ours: key.fingerprint,
          });
        }
        outcome = 'imported';
        keyPairId = imported.keyPairId;
      } catch (error) {
        return refuse(callFailed('ImportKeyPair', error));
      }
    }
    const known: KnownPublicKey = {
      keyPairId,
      keyPairName,
      region,
      fingerprint: key.fingerprint,
      type: key.type,
      blob: key.blob,
      ...(key.comment ? { comment: key.comment } : {}),
      recordedBy: input.userId,
      recordedAt: ctx.now().toISOString(),
    };
    await deps.keys.put(known);
    await ctx.record({
      type: outcome === 'imported' ? 'key_imported' : 'key_recorded',
      ...base,
      keyPairId,
      fingerprint: key.fingerprint,
      keyType: key.type,
      ...(apiRequestId ? { apiRequestId } : {}),
    });
    deps.logger.info(outcome === 'imported' ? 'key pair imported' : 'public key recorded', {
      importId,
      region,
      keyPairId,
      fingerprint: key.fingerprint,
    });
    return {
      ok: true,
      outcome,
      importId,
      keyPairName,
      keyPairId,
      region,
      fingerprint: key.fingerprint,
    };
  }

  return { importPublicKey };
}

function callFailed(action: 'DescribeKeyPairs' | 'ImportKeyPair', error: unknown): ImportRefusal {
  const { code, message } = toStepError(error);
  return { reason: 'import_call_failed', action, code, message };
}

/** The same key under the same name in the same region: the same token, so a repeat is one import. */
function importToken(region: string, name: string, fingerprint: string): string {
  const hash = createHash('sha256').update(`${region}\n${name}\n${fingerprint}`).digest('hex');
  return `akb-import-${hash.slice(0, 40)}`;
}
