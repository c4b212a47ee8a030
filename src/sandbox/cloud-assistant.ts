import { applyScriptEffect, readApplyScript } from '../domain/apply-script.js';
import { type InstanceRecord, iso } from './inventory.js';
import { numbered, type Params, param, type SimError, simError } from './simulator-actions.js';

/*
 * Cloud Assistant in the simulator: agents (an instance's `cloudAssistant`, Running by default;
 * 'absent' has none; a stopped instance's agent is Lost), RunCommand, DescribeInvocations,
 * DescribeInvocationResults and DescribeCloudAssistantStatus. Each instance keeps an
 * authorized_keys per user. A command runs for `commandMs`, then settles when read: the script is
 * decoded and, when it is the bot's apply-now template, its values are read back and its effect
 * applied to that file (domain/apply-script.ts, the same model a test holds to bash); any other
 * script fails. An instance's `scriptFailure` makes every script on it fail that way.
 */

const MAX_RUN_IDS = 200;
const MAX_IDS = 100;
const MAX_CONTENT = 16 * 1024;
const INVOCATION_NAME = /^[A-Za-z_\p{Script=Han}][\w\p{Script=Han}-]{1,63}$/u;

interface RunResult {
  instanceId: string;
  endsAt: number;
  status?: 'Success' | 'Failed' | 'Timeout';
  exitCode?: number;
  output?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface SimInvocation {
  invocationId: string;
  invocationName: string;
  region: string;
  username: string;
  script: string;
  createdAt: number;
  timeoutSeconds: number;
  results: RunResult[];
}

export interface AssistantKit {
  now(): number;
  see(instanceId: string, region: string): InstanceRecord | undefined;
  list(region: string): InstanceRecord[];
  /** How long a command runs before its result is final. */
  commandMs: number;
}

export function createAssistantSim(kit: AssistantKit) {
  const invocations: SimInvocation[] = [];
  const files = new Map<string, string | undefined>();
  const fileKey = (instanceId: string, user: string) => `${instanceId}\n${user}`;

  function agentStatus(record: InstanceRecord): string | undefined {
    if (record.cloudAssistant === 'absent') return undefined;
    return record.status === 'RUNNING' ? (record.cloudAssistant ?? 'Running') : 'Lost';
  }

  /** Results whose time has come are settled in the order the commands were sent. */
  function settle(): void {
    const at = kit.now();
    for (const invocation of invocations) {
      for (const result of invocation.results) {
        if (result.status || at < result.endsAt) continue;
        Object.assign(result, run(invocation, result.instanceId));
      }
    }
  }

  function run(invocation: SimInvocation, instanceId: string): Partial<RunResult> {
    const record = kit.see(instanceId, invocation.region);
    const failure = record?.scriptFailure;
    if (failure) {
      const exit = failure.exitCode !== undefined ? { exitCode: failure.exitCode } : {};
      return { status: failure.status, ...exit, output: failure.output };
    }
    const input = readApplyScript(invocation.script);
    if (!input) {
      const output =
        'simulated Cloud Assistant: only the attach-key-bot apply-now script runs here\n';
      return { status: 'Failed', exitCode: 127, output };
    }
    const key = fileKey(instanceId, invocation.username);
    const { file, result } = applyScriptEffect(files.get(key), input);
    files.set(key, file);
    const output = `attach-key-bot: ${result.effect} removed=${result.removed}\n`;
    return { status: 'Success', exitCode: 0, output };
  }

  function status({ region, params }: { region: string; params: Params }): unknown {
    const ids = numbered(params, 'InstanceIds');
    if (ids.length > MAX_IDS) return invalid('InstanceIds');
    const records = ids.length ? ids.flatMap((id) => kit.see(id, region) ?? []) : kit.list(region);
    const listed = records.flatMap((r) => {
      const agent = agentStatus(r);
      return agent
        ? [{ InstanceId: r.instanceId, InstanceName: r.name, Status: agent, OSType: r.osType }]
        : [];
    });
    return page(listed, params, 'Instances');
  }

  function runCommand({ region, params }: { region: string; params: Params }): unknown {
    const ids = [...new Set(numbered(params, 'InstanceIds'))];
    const name = param(params, 'InvocationName') ?? '';
    const content = param(params, 'CommandContent') ?? '';
    const username = param(params, 'Username') ?? 'root';
    const timeout = Number(param(params, 'Timeout') ?? '60');
    if (!ids.length) return simError(400, 'MissingParameter.InstanceIds');
    if (ids.length > MAX_RUN_IDS) return simError(400, 'LimitExceeded.MaximumInstanceIds');
    if (!INVOCATION_NAME.test(name)) return invalid('InvocationName');
    if (param(params, 'Type') !== 'Shell') return invalid('Type');
    if (!(timeout >= 30 && timeout <= 86_400)) return invalid('Timeout');
    const base64 = (param(params, 'ContentEncoding') ?? 'Base64') === 'Base64';
    const script = base64 ? Buffer.from(content, 'base64').toString('utf8') : content;
    if (!script || content.length > MAX_CONTENT) return invalid('CommandContent');
    // If any one instance cannot run it, the whole call fails (volcengine.md §10).
    for (const id of ids) {
      const record = kit.see(id, region);
      if (!record) return simError(404, 'InvalidInstance.NotFound');
      if (record.status !== 'RUNNING') return simError(400, 'InvalidInstanceStatus');
      if (agentStatus(record) !== 'Running') {
        return simError(
          400,
          'InvalidInstanceId.Unregister',
          `The instance ${id} has no Running Cloud Assistant agent.`,
        );
      }
    }
    const createdAt = kit.now();
    const invocationId = `ivk-sim${(invocations.length + 1).toString(36).padStart(6, '0')}${createdAt.toString(36)}`;
    invocations.push({
      invocationId,
      invocationName: name,
      region,
      username,
      script,
      createdAt,
      timeoutSeconds: timeout,
      results: ids.map((instanceId) => ({ instanceId, endsAt: createdAt + kit.commandMs })),
    });
    return { InvocationId: invocationId };
  }

  function describeInvocations({ region, params }: { region: string; params: Params }): unknown {
    settle();
    const id = param(params, 'InvocationId');
    const name = param(params, 'InvocationName');
    const found = invocations.filter(
      (i) =>
        i.region === region &&
        (!id || i.invocationId === id) &&
        (!name || i.invocationName === name),
    );
    return page(found.map(toApiInvocation), params, 'Invocations');
  }

  function describeResults({ region, params }: { region: string; params: Params }): unknown {
    settle();
    const id = param(params, 'InvocationId');
    if (!id)
      return simError(
        400,
        'MissingParameter',
        'The required parameter InvocationId is not supplied.',
      );
    const invocation = invocations.find((i) => i.invocationId === id && i.region === region);
    if (!invocation)
      return simError(404, 'InvalidInvocationId.NotFound', `The invocation ${id} does not exist.`);
    const instanceId = param(params, 'InstanceId');
    const wanted = param(params, 'InvocationResultStatus');
    const rows = invocation.results
      .filter((r) => !instanceId || r.instanceId === instanceId)
      .map((r) => toApiResult(invocation, r))
      .filter((r) => !wanted || r.InvocationResultStatus === wanted);
    return page(rows, params, 'InvocationResults');
  }

  function toApiResult(invocation: SimInvocation, r: RunResult) {
    return {
      InvocationId: invocation.invocationId,
      InstanceId: r.instanceId,
      InvocationResultStatus: r.status ?? 'Running',
      ...(r.exitCode !== undefined ? { ExitCode: r.exitCode } : {}),
      Output: Buffer.from(r.output ?? '', 'utf8').toString('base64'),
      ErrorCode: r.errorCode ?? '',
      ErrorMessage: r.errorMessage ?? '',
      StartTime: iso(invocation.createdAt),
      EndTime: r.status ? iso(r.endsAt) : '',
      Username: invocation.username,
    };
  }

  return {
    /** The answer's Result (or error) for a Cloud Assistant action; undefined for any other. */
    handle(call: { action: string; region: string; params: Params }): unknown {
      switch (call.action) {
        case 'DescribeCloudAssistantStatus':
          return status(call);
        case 'RunCommand':
          return runCommand(call);
        case 'DescribeInvocations':
          return describeInvocations(call);
        case 'DescribeInvocationResults':
          return describeResults(call);
        default:
          return undefined;
      }
    },
    api: {
      /** An instance user's authorized_keys as the simulated scripts left it (undefined: none). */
      authorizedKeys(instanceId: string, user = 'root'): string | undefined {
        settle();
        return files.get(fileKey(instanceId, user));
      },
      setAuthorizedKeys(instanceId: string, user: string, text: string | undefined): void {
        files.set(fileKey(instanceId, user), text);
      },
      /** Every RunCommand the simulator accepted, oldest first. */
      invocations(): readonly SimInvocation[] {
        settle();
        return invocations;
      },
    },
    reset(): void {
      invocations.length = 0;
      files.clear();
    },
  };
}

function aggregate(invocation: SimInvocation): string {
  const statuses = invocation.results.map((r) => r.status);
  if (statuses.some((s) => !s)) return 'Running';
  if (statuses.every((s) => s === 'Success')) return 'Success';
  return statuses.some((s) => s === 'Success') ? 'PartialFailed' : 'Failed';
}

function toApiInvocation(i: SimInvocation) {
  return {
    InvocationId: i.invocationId,
    InvocationName: i.invocationName,
    InvocationStatus: aggregate(i),
    CommandType: 'Shell',
    Username: i.username,
    Timeout: i.timeoutSeconds,
    InstanceNumber: i.results.length,
    RepeatMode: 'Once',
    LaunchTime: iso(i.createdAt),
  };
}

/** PageNumber (from 1) and PageSize (1–100, default 10), with TotalCount. */
function page(items: readonly unknown[], params: Params, key: string): unknown {
  const number = Number(param(params, 'PageNumber') ?? '1');
  const size = Number(param(params, 'PageSize') ?? '10');
  if (!Number.isInteger(number) || number < 1) return invalid('PageNumber');
  if (!Number.isInteger(size) || size < 1 || size > 100) return invalid('PageSize');
  const start = (number - 1) * size;
  return {
    [key]: items.slice(start, start + size),
    PageNumber: number,
    PageSize: size,
    TotalCount: items.length,
  };
}

function invalid(name: string): SimError {
  return simError(400, 'InvalidParameter', `The specified parameter ${name} is invalid.`);
}
