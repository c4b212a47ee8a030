// What happened to each instance of a request, and one plain line per error code saying what went
// wrong and what to do. Pure: data in, data out.

/**
 * Every code the AttachKeyPair page lists, the gateway's common codes (volcengine.md §3.4) and our
 * client's transport codes, each mapped to "what happened; what to do". This is the English table
 * and the list of codes; every catalogue has one per language (src/slack/i18n/*-outcome.ts), typed
 * by `ErrorCode` so a code missing from one is a compile error.
 */
const EXPLANATIONS = {
  // AttachKeyPair, request level
  'MissingParameter.KeyPairNameAndKeyPairId':
    'no key pair was given (neither a name nor an id); ask again with a key pair name or a kp- id',
  'MissingParameter.InstanceIds':
    'no instance ids were sent; ask again with at least one instance id',
  'LimitExceeded.MaximumInstanceIds':
    'more than 100 instance ids were sent in one call; this is a bot bug (batches hold at most 100), report it',
  'InvalidClientToken.Malformed':
    'Volcengine rejected the idempotency token (ClientToken) as malformed; this is a bot bug, report it',
  IdempotentParameterMismatch:
    'the idempotency token (ClientToken) was already used for a different call, so nothing was done; report it, then ask again as a new request',
  'InvalidKeyPair.NotFound':
    'the key pair does not exist in this region; check the name or kp- id and the region, then ask again',
  IdempotentProcessing:
    'an identical earlier call is still being processed; wait a few minutes, check the instances, then ask again if needed',
  InternalError:
    'Volcengine had an internal error and retries did not help; ask again later, and open a ticket if it keeps happening',

  // AttachKeyPair, per instance
  'InvalidInstance.NotFound':
    'the instance does not exist in this region; check the instance id and the region',
  'InvalidKeyPairForWindows.Unsupported':
    'the instance runs Windows, which does not support key pairs; keep using its password',
  'InvalidResetAuthenticationAgent.NotFound':
    'the password plug-in (reset-authentication agent) is not installed on the instance; install it, then ask again',
  InvalidInstanceStatus:
    'the instance must be Running or Stopped; start or stop it, then ask again',
  FlowLimitExceeded:
    'Volcengine rate-limited the call and retries ran out; wait a few minutes, then ask again for these instances',

  // Gateway (common) codes
  UndefinedError:
    'Volcengine returned an unspecified internal error; ask again later, and open a ticket if it keeps happening',
  MissingParameter:
    'Volcengine says a required parameter (such as Action or Version) is missing; this is a bot bug, report it',
  MissingAuthenticationToken:
    'the call carried no credentials; set VOLC_ACCESS_KEY_ID and VOLC_SECRET_ACCESS_KEY for the bot',
  MissingRequestInfo:
    'the call lacked signing details (date, access key, service or region); this is a bot bug, report it',
  MissingSignature: 'the call was not signed; this is a bot bug, report it',
  InvalidTimestamp:
    "the bot's clock is off (the signed time was rejected); sync it with NTP, then ask again",
  ServiceNotFound:
    'Volcengine did not recognise the service in the signature; check VOLC_ENDPOINT and the region',
  ServiceUnavailable:
    'Volcengine did not recognise the service in the signature; check VOLC_ENDPOINT and the region',
  InvalidActionOrVersion:
    'Volcengine does not know this action or API version; check that VOLC_ENDPOINT is the OpenAPI endpoint (open.volcengineapi.com)',
  InvalidAccessKey:
    'the access key is unknown or disabled; check VOLC_ACCESS_KEY_ID (and VOLC_SESSION_TOKEN for temporary keys)',
  InvalidClientTokenId:
    'the access key is unknown or disabled; check VOLC_ACCESS_KEY_ID (and VOLC_SESSION_TOKEN for temporary keys)',
  SignatureDoesNotMatch:
    'the signature did not match; check that VOLC_SECRET_ACCESS_KEY belongs to VOLC_ACCESS_KEY_ID',
  ServiceShouldCallSelfApi:
    'this access key belongs to a service account that may only call its own API; use an IAM user key',
  // Worded by `denied` below when the refused call is known; these lines are for when it is not.
  LackPolicy:
    "the access key's user has no policy allowing this ECS call; grant it (see README: Going live), then ask again",
  AccessDenied:
    "the access key's user was refused this ECS call on these resources; ask a Volcengine admin to allow it",
  InternalServiceTimeout:
    'the ECS backend timed out and retries did not help; check the instances in the console, then ask again',
  ServiceUnavailableTemp:
    'ECS was temporarily unavailable and retries did not help; ask again in a few minutes',
  FailToConnect:
    'the Volcengine gateway could not reach ECS and retries did not help; ask again in a few minutes',
  InternalServiceError:
    'Volcengine had an internal service error; ask again later, and open a ticket if it keeps happening',
  MethodNotAllowed:
    'Volcengine refused the HTTP method; this is a bot bug (AttachKeyPair is sent as GET), report it',
  LackProjectPolicy:
    "the access key's user has no permission in the instances' project; grant it, then ask again",

  // Restart and undo
  RestartTimeout:
    'the instance was rebooted but did not show RUNNING again in time; check it in the console (it may still be starting), and the roll stopped here',
  'InvalidKeyPair.NotAttached':
    'the key pair to remove is no longer the one bound to the instance (someone changed it since); check the instance, nothing was changed on it',

  // Apply now (Cloud Assistant) and the import command
  CloudAssistantNotRunning:
    'the Cloud Assistant agent is not running on the instance, so the key could not be put in effect now; restart the instance instead',
  InstanceNotRunning:
    'the instance is not RUNNING, so no command can run on it; the key takes effect at its next start',
  KeyNotBound:
    'the key pair was not bound to the instance, so it was not put in effect either; see why the binding failed',
  CommandFailed:
    'the script failed on the instance; its exit code and last output line say why, and nothing else was changed by it',
  CommandTimeout:
    'the script did not finish in time on the instance; check its ~/.ssh/authorized_keys, then apply again or restart',
  CommandNoResult:
    'Cloud Assistant reported no final result in time; the command may still run, so check the instance before trying again',
  'InvalidInstanceId.Unregister':
    'the instance has no registered Cloud Assistant agent (it may be starting, or the agent is not installed); restart it instead',
  'InvalidInvocationId.NotFound':
    'Cloud Assistant does not know the command the bot started; check the instance, then apply again if needed',
  'InvalidKeyPair.Duplicate':
    'a key pair of that name already exists in the region; use another name, or import the key under the existing one only if it is the same key',
  'InvalidParameter.PublicKey':
    'Volcengine did not accept the public key; paste the one line of the .pub file unchanged',

  // Our client (transport)
  Timeout:
    'Volcengine did not answer in time and retries ran out, so the key may or may not be bound; check the instances, then ask again',
  NetworkError:
    'the bot could not reach Volcengine (network error) and retries ran out; check its network and VOLC_ENDPOINT, then ask again',
  HttpError:
    'Volcengine answered with an unexpected HTTP status and no error code; ask again later, and check VOLC_ENDPOINT',
  InvalidResponse:
    'Volcengine answered with something that is not an API response (often a proxy); check VOLC_ENDPOINT and any proxy, then ask again',
  RequestError:
    'the bot could not send the call (a configuration or bot bug); check VOLC_ENDPOINT, then report it',
  UnexpectedError:
    "the bot hit an unexpected error; look in the bot's logs for this request id, then ask again",
} satisfies Record<string, string>;

export type ErrorCode = keyof typeof EXPLANATIONS;

/** The codes that mean "not allowed": explained with the action that was refused. */
export type DeniedCode = 'AccessDenied' | 'LackPolicy';

const DENIED: ReadonlySet<string> = new Set<DeniedCode>(['AccessDenied', 'LackPolicy']);

/** One language's outcome catalogue: a line for every code, and what to say when there is none. */
export interface OutcomeTexts {
  explanations: Readonly<Record<ErrorCode, string>>;
  /**
   * AccessDenied / LackPolicy when the refused call is known: `action` as the API names it
   * (DescribeInstances), `permission` as a policy names it (ecs:DescribeInstances).
   */
  denied: (code: DeniedCode, action: string, permission: string) => string;
  fallback: string;
}

/** English. */
export const ERROR_EXPLANATIONS: Readonly<Record<ErrorCode, string>> = Object.freeze(EXPLANATIONS);

export const ENGLISH_OUTCOME: OutcomeTexts = Object.freeze({
  explanations: ERROR_EXPLANATIONS,
  denied: (code: DeniedCode, action: string, permission: string) =>
    code === 'LackPolicy'
      ? `Volcengine refused ${action}: the access key's user has no policy allowing ${permission}; grant it, then ask again`
      : `Volcengine refused ${action}: the access key's user may not call ${permission} on these resources; ask a Volcengine admin to allow it`,
  fallback: 'no explanation available',
});

const MAX_API_MESSAGE = 300;

/**
 * One plain line for a code in the given language; unknown codes fall back to the API's message.
 * `call` is the call that failed (`ecs:DescribeInstances`): a refusal names it and its permission.
 */
export function explainFrom(
  texts: OutcomeTexts,
  code: string,
  apiMessage?: string,
  call?: string,
): string {
  if (call && DENIED.has(code)) {
    const action = call.slice(call.indexOf(':') + 1) || call;
    return texts.denied(code as DeniedCode, action, call);
  }
  const table: Readonly<Record<string, string>> = texts.explanations;
  if (Object.hasOwn(table, code)) return table[code] as string;
  const message = apiMessage?.replace(/\s+/g, ' ').trim();
  if (!message) return texts.fallback;
  return message.length > MAX_API_MESSAGE ? `${message.slice(0, MAX_API_MESSAGE - 1)}…` : message;
}
