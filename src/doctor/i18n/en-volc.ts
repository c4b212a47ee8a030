// The doctor's English about Volcengine: AssumeRole, the credentials (DescribeKeyPairs), the
// ecs:DescribeInstances permission, the clock, and how a failed call reads. `head` arrives as
// `Code (HTTP 403)`.

/** Whose key or permission a Volcengine line is about. */
export type Principal = 'key' | 'base' | 'role';

const whose = (who: Principal) => (who === 'role' ? 'role' : 'key');
const list = (items: readonly string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items.join('');

export const enDoctorVolc = {
  needsRole: "needs the role's temporary credentials (see AssumeRole)",
  notUsable: (variable: string, text: string) => `${variable} is not usable: ${text}`,
  notUsableFix: (variable: string, url: string) => `set ${variable} to ${url} (or leave it unset)`,
  needsEndpoint: 'needs a usable VOLC_ENDPOINT (see Volcengine credentials)',
  sandboxCredentials:
    'sandbox: no credentials needed (the simulated ECS answered DescribeKeyPairs)',
  credentialsOk: (region: string, requestId: string, who: Principal) =>
    `accepted by DescribeKeyPairs in ${region} (RequestId ${requestId})${who === 'role' ? ", signed with the role's temporary credentials" : ''}`,
  /** `call`: the call that was refused, as a policy names it (ecs:DescribeKeyPairs). */
  mayNotCallEcs: (head: string, who: Principal, call: string) =>
    `${head} — the ${whose(who)} may not call ${call}`,
  mayNotCallEcsFix: (who: Principal, call: string) =>
    `the ${whose(who)}'s policy must allow ${call}${call === 'ecs:AttachKeyPair' ? '' : ' and ecs:AttachKeyPair'}`,
  instancesOk: (region: string, visible: number | undefined, requestId: string) =>
    `allowed in ${region}${visible !== undefined ? `, ${visible} instances visible` : ''} (RequestId ${requestId})`,
  sandboxInstances: 'sandbox: no permissions to check',
  failedLikeKeyPairs: (code: string) =>
    `failed like DescribeKeyPairs (${code}): see Volcengine credentials`,
  mayNotDescribe: (head: string, who: Principal, call: string) =>
    `${head} — the ${whose(who)} may not call ${call}`,
  mayNotDescribeFix: (who: Principal, call: string) =>
    `allow ${call} in the ${whose(who)}'s policy (the bot reads instances for previews, pickers and checks after a restart)`,
  cloudAssistant: {
    /** `others`: the actions apply now and import also need, which the doctor does not call. */
    ok: (
      region: string,
      visible: number | undefined,
      requestId: string,
      others: readonly string[],
    ) =>
      `ecs:DescribeCloudAssistantStatus allowed in ${region}${visible !== undefined ? `, ${visible} agents visible` : ''} (RequestId ${requestId}); apply now also needs ${list(others)}, not checked here because they run commands or create key pairs`,
    sandbox: (others: readonly string[]) =>
      `sandbox: simulated; live, apply now also needs ecs:DescribeCloudAssistantStatus and ${list(others)}`,
    denied: (head: string, who: Principal) =>
      `${head} — the ${whose(who)} may not call ecs:DescribeCloudAssistantStatus, so apply now cannot run (attach, restart and undo are not affected)`,
    deniedFix: (actions: readonly string[], who: Principal) =>
      `to use apply now and /attach-key import, allow ${list(actions)} in the ${whose(who)}'s policy`,
  },
  role: {
    /** `refused`: one `ecs:Action: Code` per refused action. */
    refused: (trn: string, refused: readonly string[]) =>
      `${trn} was assumed, but ECS refused its temporary credentials (${refused.join('; ')}): the role lacks permission`,
    refusedFix: (actions: readonly string[]) =>
      `attach a policy to the role that allows ${list(actions)}`,
    rejected: (trn: string, code: string) =>
      `${trn} was assumed, but ECS did not accept its temporary credentials (${code})`,
    rejectedFix:
      'check that VOLC_ENDPOINT and VOLC_STS_ENDPOINT belong to the same cloud, then report it with this line',
    works: (trn: string, session: string, until: string, confirmed: boolean) =>
      `${trn} works: session ${session}, temporary credentials until ${until}${confirmed ? ', accepted by ECS' : ' (ECS could not confirm them: see below)'}`,
    notUsedSandbox: 'not used in sandbox mode',
    notUsed:
      'not used (VOLC_ROLE_TRN is not set): ECS calls are signed with VOLC_ACCESS_KEY_ID itself',
    denied: (head: string, trn: string) =>
      `${head} — sts:AssumeRole was refused for the base key (VOLC_ACCESS_KEY_ID): the base key lacks permission to assume ${trn}`,
    deniedFix: (trn: string) =>
      `allow sts:AssumeRole on ${trn} in the policy of the key's user, and trust that user in the role's trust policy`,
    otherFix:
      "check VOLC_ROLE_TRN (the role must exist in that account) and VOLC_ROLE_DURATION_SECONDS (at most the role's maximum session duration)",
  },
  clock: {
    noAnswer: 'no answer from the Volcengine API to compare with',
    noDate: 'the Volcengine API sent no Date header to compare with',
    within: (seconds: number, sandbox: boolean) =>
      `within ${seconds} s of ${sandbox ? "the sandbox's date (it runs on this clock)" : "the Volcengine API's clock"}`,
    off: (duration: string, ahead: boolean, sandbox: boolean, date: string) =>
      `${duration} ${ahead ? 'ahead of' : 'behind'} ${sandbox ? "the sandbox's date (it runs on this clock)" : "the Volcengine API's clock"} (Date: ${date}); signatures this far off are refused (InvalidTimestamp)`,
    offFix: 'sync the system clock with NTP (e.g. timedatectl set-ntp true, or chrony)',
  },
  failure: {
    roleSignature: (head: string) =>
      `${head} — ECS refused the signature made with the role's temporary credentials`,
    wrongSecret: (head: string) => `${head} — the secret key is wrong`,
    wrongSecretFix:
      'set VOLC_SECRET_ACCESS_KEY to the Secret Access Key that belongs to VOLC_ACCESS_KEY_ID (no quotes or spaces)',
    roleAccessKey: (head: string) => `${head} — ECS does not know the role's temporary access key`,
    roleAccessKeyFix: 'check that VOLC_ENDPOINT and VOLC_STS_ENDPOINT belong to the same cloud',
    baseAccessKey: (head: string) => `${head} — the base access key id is wrong or disabled`,
    baseAccessKeyFix:
      'check VOLC_ACCESS_KEY_ID (a long-lived key: VOLC_SESSION_TOKEN is not used with VOLC_ROLE_TRN)',
    accessKey: (head: string) =>
      `${head} — the access key id is wrong or disabled, or a temporary key came without its STS token`,
    accessKeyFix:
      'check VOLC_ACCESS_KEY_ID, and set VOLC_SESSION_TOKEN when using STS (temporary) credentials',
    timestamp: (head: string) =>
      `${head} — the signed time was refused: this machine's clock is off`,
    timestampFix: 'sync the system clock with NTP (see the Clock line)',
    /** Any other code: the outcome catalogue's line for it. */
    explained: (head: string, text: string) => `${head} — ${text}`,
    otherFix: 'check the VOLC_* settings',
  },
};
