import type { CredentialsProvider } from './credentials.js';
import { isRecord, VolcApiError } from './errors.js';
import { type CallPolicyOptions, createOpenApiCaller } from './openapi-caller.js';
import type { Transport } from './transport.js';

// STS GetCallerIdentity (issue 24): which account a set of credentials speaks for, so a card can
// name the account id of an account reached with a key of its own (a role's TRN names it).

export interface CallerIdentityOptions extends CallPolicyOptions {
  credentials: CredentialsProvider;
  stsEndpoint: string;
  transport: Transport;
}

export async function readCallerIdentity(
  options: CallerIdentityOptions,
): Promise<{ accountId: string; trn?: string }> {
  const sts = createOpenApiCaller({
    ...options,
    endpoint: options.stsEndpoint,
    service: 'sts',
    version: '2018-01-01',
  });
  const answer = await sts('GetCallerIdentity', 'cn-beijing', []);
  const result = answer.result;
  const accountId = isRecord(result) ? result.AccountId : undefined;
  const id = typeof accountId === 'number' ? String(accountId) : accountId;
  if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) {
    throw new VolcApiError({
      code: 'InvalidResponse',
      message: 'GetCallerIdentity answered no AccountId',
      requestId: answer.requestId,
    });
  }
  const trn = isRecord(result) && typeof result.Trn === 'string' ? result.Trn : undefined;
  return { accountId: id, ...(trn ? { trn } : {}) };
}
