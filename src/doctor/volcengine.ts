import type { Config } from '../config/config.js';
import { createSandboxTransport } from '../sandbox/transport.js';
import { type AssumeRoleProvider, createAssumeRoleProvider } from '../volcengine/assume-role.js';
import type { CredentialsProvider, SigningCredentials } from '../volcengine/credentials.js';
import {
  createEcsClient,
  createUndiciTransport,
  type Transport,
} from '../volcengine/ecs-client.js';
import { VolcApiError } from '../volcengine/errors.js';
import { checkCloudAssistant } from './cloud-assistant.js';
import type { DoctorTexts } from './i18n/en.js';
import { errorText, fail, formatDuration, pass, type Result, skip } from './lines.js';
import { describeAssumeRoleFailure, describeVolcFailure } from './volcengine-failures.js';

// The doctor's Volcengine lines: AssumeRole (with VOLC_ROLE_TRN), the credentials and clock
// (DescribeKeyPairs), the ecs:DescribeInstances permission and Cloud Assistant's
// (cloud-assistant.ts). Reads only, one attempt each,
// bounded by timeoutMs; the lines say whose permission is missing: the base key's or the role's.

export interface VolcChecks {
  assumeRole: Result;
  credentials: Result;
  describeInstances: Result;
  cloudAssistant: Result;
  clock: Result;
}

export interface VolcCheckOptions {
  t: DoctorTexts;
  now: () => Date;
  timeoutMs: number;
  /** Every Volcengine call, ECS and STS, outside sandbox mode (tests); default undici. */
  transport?: Transport;
}

interface Seen {
  /** Our clock when the answer arrived. */
  at: Date;
  date?: string;
}

const DENIED = new Set(['AccessDenied', 'LackPolicy']);
const ROLE_ACTIONS = [
  'ecs:DescribeKeyPairs',
  'ecs:DescribeInstances',
  'ecs:AttachKeyPair',
  'ecs:RebootInstances',
  'ecs:DetachKeyPair',
];
const MAX_CLOCK_SKEW_MS = 60_000;

export async function checkVolcengine(
  config: Config,
  options: VolcCheckOptions,
): Promise<VolcChecks> {
  const { t, now, timeoutMs } = options;
  // Sandbox mode never reaches a real API, whatever transport was offered.
  const own = config.sandbox
    ? createSandboxTransport({ latencyMs: 0, now })
    : options.transport
      ? undefined
      : createUndiciTransport({ connections: 2 });
  const inner: Transport = own ?? (options.transport as Transport);
  // Keep the Date header of any answer, errors included: a skewed clock is often why they fail.
  let seen: Seen | undefined;
  const transport: Transport = async (req) => {
    const res = await inner(req);
    seen = { at: now(), ...(res.headers.date ? { date: res.headers.date } : {}) };
    return res;
  };
  const clock = () => checkClock(seen, config.sandbox, t);
  const policy = { timeoutMs, maxAttempts: 1, deadlineMs: timeoutMs, transport, now };
  const { role, accessKeyId, secretAccessKey, sessionToken } = config.volc;
  let provider: AssumeRoleProvider | undefined;
  try {
    let credentials: SigningCredentials | CredentialsProvider = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    };
    let expiresAt: Date | undefined;
    if (role) {
      try {
        provider = createAssumeRoleProvider({
          ...policy,
          baseCredentials: { accessKeyId, secretAccessKey },
          roleTrn: role.trn,
          sessionName: role.sessionName,
          durationSeconds: role.durationSeconds,
          stsEndpoint: role.stsEndpoint,
        });
      } catch (error) {
        const why = t.volc.notUsable('VOLC_STS_ENDPOINT', errorText(error));
        const fix = t.volc.notUsableFix('VOLC_STS_ENDPOINT', 'https://sts.volcengineapi.com');
        return { ...withoutRole(fail(why, fix), t), clock: clock() };
      }
      const refreshed = await provider.refresh();
      if (!refreshed.ok) {
        const failure = describeAssumeRoleFailure(refreshed.error, role, timeoutMs, t);
        return { ...withoutRole(failure, t), clock: clock() };
      }
      expiresAt = refreshed.expiresAt;
      credentials = provider;
    }
    const ecs = await checkEcs(config, credentials, policy, role ? 'role' : 'key', t);
    return {
      assumeRole: role && expiresAt ? judgeRole(role, expiresAt, ecs, t) : noRole(config, t),
      credentials: ecs.credentials,
      describeInstances: ecs.describeInstances,
      cloudAssistant: ecs.cloudAssistant,
      clock: clock(),
    };
  } finally {
    await provider?.close();
    await own?.close();
  }
}

interface EcsLines {
  credentials: Result;
  describeInstances: Result;
  cloudAssistant: Result;
  keyPairsError?: VolcApiError;
  instancesError?: VolcApiError;
  assistantError?: VolcApiError;
}

async function checkEcs(
  config: Config,
  credentials: SigningCredentials | CredentialsProvider,
  policy: { timeoutMs: number; maxAttempts: number; deadlineMs: number; transport: Transport },
  who: 'key' | 'role',
  t: DoctorTexts,
): Promise<EcsLines> {
  const { region, endpoint } = config.volc;
  const v = t.volc;
  let client: ReturnType<typeof createEcsClient>;
  try {
    client = createEcsClient({ endpoint, credentials, ...policy });
  } catch (error) {
    return {
      // createEcsClient refuses an endpoint that is not a bare http(s) origin.
      credentials: fail(
        v.notUsable('VOLC_ENDPOINT', errorText(error)),
        v.notUsableFix('VOLC_ENDPOINT', 'https://open.volcengineapi.com'),
      ),
      describeInstances: skip(v.needsEndpoint),
      cloudAssistant: skip(v.needsEndpoint),
    };
  }
  // Both at once: the permissions are separate, so each line names its own.
  const [keyPairs, instances] = await Promise.allSettled([
    client.describeKeyPairsPage({ region, maxResults: 1 }),
    config.sandbox
      ? Promise.resolve(undefined)
      : client.describeInstancesPage({ region, maxResults: 1 }),
  ]);
  const context = { endpoint, variable: 'VOLC_ENDPOINT', timeoutMs: policy.timeoutMs, who };
  const lines: EcsLines = {
    credentials: pass(''),
    describeInstances: pass(''),
    cloudAssistant: pass(''),
  };
  if (keyPairs.status === 'fulfilled') {
    lines.credentials = pass(
      config.sandbox
        ? v.sandboxCredentials
        : v.credentialsOk(region, keyPairs.value.requestId || '?', who),
    );
  } else {
    if (keyPairs.reason instanceof VolcApiError) lines.keyPairsError = keyPairs.reason;
    lines.credentials = describeVolcFailure(keyPairs.reason, t, {
      ...context,
      call: 'ecs:DescribeKeyPairs',
      denied: (head, call) => fail(v.mayNotCallEcs(head, who, call), v.mayNotCallEcsFix(who, call)),
    });
  }
  const assistant = await checkCloudAssistant(client, config, context, t, lines.keyPairsError);
  lines.cloudAssistant = assistant.result;
  if (assistant.error) lines.assistantError = assistant.error;
  if (instances.status === 'fulfilled') {
    const page = instances.value;
    lines.describeInstances = pass(
      page ? v.instancesOk(region, page.totalCount, page.requestId || '?') : v.sandboxInstances,
    );
    return lines;
  }
  const error = instances.reason;
  if (error instanceof VolcApiError) lines.instancesError = error;
  const sameFailure =
    error instanceof VolcApiError &&
    lines.keyPairsError?.code === error.code &&
    !DENIED.has(error.code);
  lines.describeInstances = sameFailure
    ? skip(v.failedLikeKeyPairs(error.code))
    : describeVolcFailure(error, t, {
        ...context,
        call: 'ecs:DescribeInstances',
        denied: (head, call) =>
          fail(v.mayNotDescribe(head, who, call), v.mayNotDescribeFix(who, call)),
      });
  return lines;
}

/** The AssumeRole line once the role was assumed: does ECS take its credentials? */
function judgeRole(
  role: NonNullable<Config['volc']['role']>,
  expiresAt: Date,
  ecs: EcsLines,
  t: DoctorTexts,
): Result {
  const r = t.volc.role;
  const errors: Array<[string, VolcApiError | undefined]> = [
    ['ecs:DescribeKeyPairs', ecs.keyPairsError],
    ['ecs:DescribeInstances', ecs.instancesError],
  ];
  const refused = errors.filter(([, e]) => e && DENIED.has(e.code));
  if (refused.length > 0) {
    const which = refused.map(([action, e]) => `${action}: ${e?.code}`);
    return fail(r.refused(role.trn, which), r.refusedFix(ROLE_ACTIONS));
  }
  const rejected = errors.find(
    ([, e]) => e && ['InvalidAccessKey', 'SignatureDoesNotMatch'].includes(e.code),
  );
  if (rejected?.[1]) {
    return fail(r.rejected(role.trn, rejected[1].code), r.rejectedFix);
  }
  const until = expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const confirmed = errors.every(([, e]) => !e);
  return pass(r.works(role.trn, role.sessionName, until, confirmed));
}

function withoutRole(assumeRole: Result, t: DoctorTexts): Omit<VolcChecks, 'clock'> {
  const needsRole = skip(t.volc.needsRole);
  return {
    assumeRole,
    credentials: needsRole,
    describeInstances: needsRole,
    cloudAssistant: needsRole,
  };
}

function noRole(config: Config, t: DoctorTexts): Result {
  return pass(config.sandbox ? t.volc.role.notUsedSandbox : t.volc.role.notUsed);
}

function checkClock(seen: Seen | undefined, sandbox: boolean, t: DoctorTexts): Result {
  const c = t.volc.clock;
  if (!seen) return skip(c.noAnswer);
  const serverMs = seen.date ? Date.parse(seen.date) : Number.NaN;
  if (Number.isNaN(serverMs)) return skip(c.noDate);
  // The Date header drops the milliseconds: the server's time was somewhere in that second.
  const skewMs = seen.at.getTime() - (serverMs + 500);
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) {
    return pass(c.within(Math.round(Math.abs(skewMs) / 1000), sandbox));
  }
  const off = formatDuration(Math.abs(skewMs), t);
  return fail(c.off(off, skewMs > 0, sandbox, seen.date ?? ''), c.offFix);
}
