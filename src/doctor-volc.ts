import type { Config } from './config.js';
import { errorText, fail, formatDuration, pass, type Result, skip } from './doctor-lines.js';
import { describeAssumeRoleFailure, describeVolcFailure } from './doctor-volc-failures.js';
import { type AssumeRoleProvider, createAssumeRoleProvider } from './volcengine/assume-role.js';
import type { CredentialsProvider, SigningCredentials } from './volcengine/credentials.js';
import { createEcsClient, createUndiciTransport, type Transport } from './volcengine/ecs-client.js';
import { VolcApiError } from './volcengine/errors.js';
import { createSandboxTransport } from './volcengine/sandbox-ecs.js';

// The doctor's Volcengine lines: AssumeRole (with VOLC_ROLE_TRN), the credentials and clock
// (DescribeKeyPairs) and the ecs:DescribeInstances permission. Reads only, one attempt each,
// bounded by timeoutMs; the lines say whose permission is missing: the base key's or the role's.

export interface VolcChecks {
  assumeRole: Result;
  credentials: Result;
  describeInstances: Result;
  clock: Result;
}

export interface VolcCheckOptions {
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
const ROLE_ACTIONS =
  'ecs:DescribeKeyPairs, ecs:DescribeInstances, ecs:AttachKeyPair, ecs:RebootInstances and ecs:DetachKeyPair';
const NEEDS_ROLE = "needs the role's temporary credentials (see AssumeRole)";
const MAX_CLOCK_SKEW_MS = 60_000;

export async function checkVolcengine(
  config: Config,
  options: VolcCheckOptions,
): Promise<VolcChecks> {
  const { now, timeoutMs } = options;
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
        const why = `VOLC_STS_ENDPOINT is not usable: ${errorText(error)}`;
        const fix = 'set VOLC_STS_ENDPOINT to https://sts.volcengineapi.com (or leave it unset)';
        return { ...withoutRole(fail(why, fix)), clock: checkClock(seen, config.sandbox) };
      }
      const refreshed = await provider.refresh();
      if (!refreshed.ok) {
        const failure = describeAssumeRoleFailure(refreshed.error, role, timeoutMs);
        return { ...withoutRole(failure), clock: checkClock(seen, config.sandbox) };
      }
      expiresAt = refreshed.expiresAt;
      credentials = provider;
    }
    const ecs = await checkEcs(config, credentials, policy, role ? 'role' : 'key');
    return {
      assumeRole: role && expiresAt ? judgeRole(role, expiresAt, ecs) : pass(noRole(config)),
      credentials: ecs.credentials,
      describeInstances: ecs.describeInstances,
      clock: checkClock(seen, config.sandbox),
    };
  } finally {
    await provider?.close();
    await own?.close();
  }
}

interface EcsLines {
  credentials: Result;
  describeInstances: Result;
  keyPairsError?: VolcApiError;
  instancesError?: VolcApiError;
}

async function checkEcs(
  config: Config,
  credentials: SigningCredentials | CredentialsProvider,
  policy: { timeoutMs: number; maxAttempts: number; deadlineMs: number; transport: Transport },
  who: 'key' | 'role',
): Promise<EcsLines> {
  const { region, endpoint } = config.volc;
  let client: ReturnType<typeof createEcsClient>;
  try {
    client = createEcsClient({ endpoint, credentials, ...policy });
  } catch (error) {
    return {
      // createEcsClient refuses an endpoint that is not a bare http(s) origin.
      credentials: fail(
        `VOLC_ENDPOINT is not usable: ${errorText(error)}`,
        'set VOLC_ENDPOINT to https://open.volcengineapi.com (or leave it unset)',
      ),
      describeInstances: skip('needs a usable VOLC_ENDPOINT (see Volcengine credentials)'),
    };
  }
  // Both at once: the permissions are separate, so each line names its own.
  const [keyPairs, instances] = await Promise.allSettled([
    client.describeKeyPairsPage({ region, maxResults: 1 }),
    config.sandbox
      ? Promise.resolve(undefined)
      : client.describeInstancesPage({ region, maxResults: 1 }),
  ]);
  const principal = who === 'role' ? 'role' : 'key';
  const context = { endpoint, variable: 'VOLC_ENDPOINT', timeoutMs: policy.timeoutMs, who };
  const lines: EcsLines = { credentials: pass(''), describeInstances: pass('') };
  if (keyPairs.status === 'fulfilled') {
    const signed = who === 'role' ? ", signed with the role's temporary credentials" : '';
    lines.credentials = config.sandbox
      ? pass('sandbox: no credentials needed (the simulated ECS answered DescribeKeyPairs)')
      : pass(
          `accepted by DescribeKeyPairs in ${region} (RequestId ${keyPairs.value.requestId || '?'})${signed}`,
        );
  } else {
    if (keyPairs.reason instanceof VolcApiError) lines.keyPairsError = keyPairs.reason;
    lines.credentials = describeVolcFailure(keyPairs.reason, {
      ...context,
      denied: (head) =>
        fail(
          `${head} — the ${principal} may not call ECS`,
          `the ${principal}'s policy must allow ecs:DescribeKeyPairs and ecs:AttachKeyPair`,
        ),
    });
  }
  if (instances.status === 'fulfilled') {
    const page = instances.value;
    const visible = page?.totalCount !== undefined ? `, ${page.totalCount} instances visible` : '';
    lines.describeInstances = page
      ? pass(`allowed in ${region}${visible} (RequestId ${page.requestId || '?'})`)
      : pass('sandbox: no permissions to check');
    return lines;
  }
  const error = instances.reason;
  if (error instanceof VolcApiError) lines.instancesError = error;
  const sameFailure =
    error instanceof VolcApiError &&
    lines.keyPairsError?.code === error.code &&
    !DENIED.has(error.code);
  lines.describeInstances = sameFailure
    ? skip(`failed like DescribeKeyPairs (${error.code}): see Volcengine credentials`)
    : describeVolcFailure(error, {
        ...context,
        denied: (head) =>
          fail(
            `${head} — the ${principal} may not call ecs:DescribeInstances`,
            `allow ecs:DescribeInstances in the ${principal}'s policy (the bot reads instances for previews, pickers and checks after a restart)`,
          ),
      });
  return lines;
}

/** The AssumeRole line once the role was assumed: does ECS take its credentials? */
function judgeRole(
  role: NonNullable<Config['volc']['role']>,
  expiresAt: Date,
  ecs: EcsLines,
): Result {
  const errors: Array<[string, VolcApiError | undefined]> = [
    ['ecs:DescribeKeyPairs', ecs.keyPairsError],
    ['ecs:DescribeInstances', ecs.instancesError],
  ];
  const refused = errors.filter(([, e]) => e && DENIED.has(e.code));
  if (refused.length > 0) {
    const which = refused.map(([action, e]) => `${action}: ${e?.code}`).join('; ');
    return fail(
      `${role.trn} was assumed, but ECS refused its temporary credentials (${which}): the role lacks permission`,
      `attach a policy to the role that allows ${ROLE_ACTIONS}`,
    );
  }
  const rejected = errors.find(
    ([, e]) => e && ['InvalidAccessKey', 'SignatureDoesNotMatch'].includes(e.code),
  );
  if (rejected?.[1]) {
    return fail(
      `${role.trn} was assumed, but ECS did not accept its temporary credentials (${rejected[1].code})`,
      'check that VOLC_ENDPOINT and VOLC_STS_ENDPOINT belong to the same cloud, then report it with this line',
    );
  }
  const confirmed = errors.every(([, e]) => !e)
    ? ', accepted by ECS'
    : ' (ECS could not confirm them: see below)';
  return pass(
    `${role.trn} works: session ${role.sessionName}, temporary credentials until ${expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}${confirmed}`,
  );
}

function withoutRole(assumeRole: Result): Omit<VolcChecks, 'clock'> {
  return { assumeRole, credentials: skip(NEEDS_ROLE), describeInstances: skip(NEEDS_ROLE) };
}

function noRole(config: Config): string {
  return config.sandbox
    ? 'not used in sandbox mode'
    : 'not used (VOLC_ROLE_TRN is not set): ECS calls are signed with VOLC_ACCESS_KEY_ID itself';
}

function checkClock(seen: Seen | undefined, sandbox: boolean): Result {
  if (!seen) return skip('no answer from the Volcengine API to compare with');
  const serverMs = seen.date ? Date.parse(seen.date) : Number.NaN;
  if (Number.isNaN(serverMs)) return skip('the Volcengine API sent no Date header to compare with');
  const where = sandbox
    ? "the sandbox's date (it runs on this clock)"
    : "the Volcengine API's clock";
  // The Date header drops the milliseconds: the server's time was somewhere in that second.
  const skewMs = seen.at.getTime() - (serverMs + 500);
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) {
    return pass(`within ${Math.round(Math.abs(skewMs) / 1000)} s of ${where}`);
  }
  return fail(
    `${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'ahead of' : 'behind'} ${where} (Date: ${seen.date}); signatures this far off are refused (InvalidTimestamp)`,
    'sync the system clock with NTP (e.g. timedatectl set-ntp true, or chrony)',
  );
}
