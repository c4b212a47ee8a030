import type { Config } from './config.js';
import { displayUrl, errorText, fail, type Result } from './doctor-lines.js';
import { explainCode } from './domain/outcome.js';
import { VolcApiError } from './volcengine/errors.js';

// How a failed Volcengine call reads in a doctor line: what happened, whose key or permission,
// and the fix. AccessDenied/LackPolicy are worded by the caller, who knows which action it tried.

export type Principal = 'key' | 'base' | 'role';

export function describeAssumeRoleFailure(
  error: VolcApiError,
  role: NonNullable<Config['volc']['role']>,
  timeoutMs: number,
): Result {
  return describeVolcFailure(error, {
    endpoint: role.stsEndpoint,
    variable: 'VOLC_STS_ENDPOINT',
    timeoutMs,
    who: 'base',
    denied: (head) =>
      fail(
        `${head} — sts:AssumeRole was refused for the base key (VOLC_ACCESS_KEY_ID): the base key lacks permission to assume ${role.trn}`,
        `allow sts:AssumeRole on ${role.trn} in the policy of the key's user, and trust that user in the role's trust policy`,
      ),
    fallbackFix: `check VOLC_ROLE_TRN (the role must exist in that account) and VOLC_ROLE_DURATION_SECONDS (at most the role's maximum session duration)`,
  });
}

export interface FailureContext {
  endpoint: string;
  variable: string;
  timeoutMs: number;
  who: Principal;
  /** The line for AccessDenied / LackPolicy: whose permission, which action. */
  denied: (head: string) => Result;
  fallbackFix?: string;
}

export function describeVolcFailure(error: unknown, at: FailureContext): Result {
  if (!(error instanceof VolcApiError)) {
    return fail(`unexpected error: ${errorText(error)}`, 'report it with this line');
  }
  const head = `${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`;
  switch (error.code) {
    case 'SignatureDoesNotMatch':
      return at.who === 'role'
        ? fail(
            `${head} — ECS refused the signature made with the role's temporary credentials`,
            'report it with this line',
          )
        : fail(
            `${head} — the secret key is wrong`,
            'set VOLC_SECRET_ACCESS_KEY to the Secret Access Key that belongs to VOLC_ACCESS_KEY_ID (no quotes or spaces)',
          );
    case 'InvalidAccessKey':
    case 'InvalidClientTokenId':
      if (at.who === 'role') {
        return fail(
          `${head} — ECS does not know the role's temporary access key`,
          'check that VOLC_ENDPOINT and VOLC_STS_ENDPOINT belong to the same cloud',
        );
      }
      return at.who === 'base'
        ? fail(
            `${head} — the base access key id is wrong or disabled`,
            'check VOLC_ACCESS_KEY_ID (a long-lived key: VOLC_SESSION_TOKEN is not used with VOLC_ROLE_TRN)',
          )
        : fail(
            `${head} — the access key id is wrong or disabled, or a temporary key came without its STS token`,
            'check VOLC_ACCESS_KEY_ID, and set VOLC_SESSION_TOKEN when using STS (temporary) credentials',
          );
    case 'AccessDenied':
    case 'LackPolicy':
      return at.denied(head);
    case 'InvalidTimestamp':
      return fail(
        `${head} — the signed time was refused: this machine's clock is off`,
        'sync the system clock with NTP (see the Clock line)',
      );
    case 'NetworkError':
    case 'Timeout': {
      const reason =
        error.code === 'Timeout'
          ? `no answer within ${at.timeoutMs} ms`
          : error.message.replace(/^Could not reach Volcengine for \w+: /, '');
      return fail(
        `cannot reach ${displayUrl(at.endpoint)} (${reason})`,
        `check network/proxy and ${at.variable}`,
      );
    }
    default: {
      // "what happened; what to do" -> the same two parts as every other line.
      const text = explainCode(error.code, error.message);
      const cut = text.indexOf('; ');
      return cut > 0
        ? fail(`${head} — ${text.slice(0, cut)}`, text.slice(cut + 2))
        : fail(`${head} — ${text}`, at.fallbackFix ?? 'check the VOLC_* settings');
    }
  }
}
