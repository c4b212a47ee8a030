import type { Config } from '../config/config.js';
import { explainFrom } from '../domain/outcome.js';
import { VolcApiError } from '../volcengine/errors.js';
import type { DoctorTexts } from './i18n/en.js';
import type { Principal } from './i18n/en-volc.js';
import { displayUrl, fail, type Result, unexpected } from './lines.js';

// How a failed Volcengine call reads in a doctor line: what happened, whose key or permission,
// and the fix. AccessDenied/LackPolicy are worded by the caller, who knows which action it tried.

export function describeAssumeRoleFailure(
  error: VolcApiError,
  role: NonNullable<Config['volc']['role']>,
  timeoutMs: number,
  t: DoctorTexts,
): Result {
  const r = t.volc.role;
  return describeVolcFailure(error, t, {
    endpoint: role.stsEndpoint,
    variable: 'VOLC_STS_ENDPOINT',
    timeoutMs,
    who: 'base',
    call: 'sts:AssumeRole',
    denied: (head) => fail(r.denied(head, role.trn), r.deniedFix(role.trn)),
    fallbackFix: r.otherFix,
  });
}

export interface FailureContext {
  endpoint: string;
  variable: string;
  timeoutMs: number;
  who: Principal;
  /** The call the check made (`ecs:DescribeKeyPairs`), when the error does not name its own. */
  call: string;
  /** The line for AccessDenied / LackPolicy: whose permission, which call was refused. */
  denied: (head: string, call: string) => Result;
  fallbackFix?: string;
}

export function describeVolcFailure(error: unknown, t: DoctorTexts, at: FailureContext): Result {
  if (!(error instanceof VolcApiError)) return unexpected(error, t);
  const f = t.volc.failure;
  const head = `${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`;
  switch (error.code) {
    case 'SignatureDoesNotMatch':
      return at.who === 'role'
        ? fail(f.roleSignature(head), t.common.report)
        : fail(f.wrongSecret(head), f.wrongSecretFix);
    case 'InvalidAccessKey':
    case 'InvalidClientTokenId':
      if (at.who === 'role') return fail(f.roleAccessKey(head), f.roleAccessKeyFix);
      return at.who === 'base'
        ? fail(f.baseAccessKey(head), f.baseAccessKeyFix)
        : fail(f.accessKey(head), f.accessKeyFix);
    case 'AccessDenied':
    case 'LackPolicy':
      return at.denied(head, error.call ?? at.call);
    case 'InvalidTimestamp':
      return fail(f.timestamp(head), f.timestampFix);
    case 'NetworkError':
    case 'Timeout': {
      const reason =
        error.code === 'Timeout'
          ? t.common.noAnswerWithin(at.timeoutMs)
          : error.message.replace(/^Could not reach Volcengine for \w+: /, '');
      return fail(
        t.common.cannotReach(displayUrl(at.endpoint), reason),
        t.common.checkNetwork(at.variable),
      );
    }
    default: {
      // "what happened; what to do" -> the same two parts as every other line.
      const text = explainFrom(t.outcome, error.code, error.message, error.call ?? at.call);
      const cut = text.indexOf(t.outcomeFixAfter);
      return cut > 0
        ? fail(f.explained(head, text.slice(0, cut)), text.slice(cut + t.outcomeFixAfter.length))
        : fail(f.explained(head, text), at.fallbackFix ?? f.otherFix);
    }
  }
}
