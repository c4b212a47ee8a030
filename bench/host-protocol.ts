// Messages between the benchmark (parent) and its child processes: the server host, which runs
// the bot or the bare Bolt app, and the fakes host, which runs the fake Slack and Volcengine APIs.
// Keeping the fakes out of the parent means the load client's event loop does nothing but send
// requests and read acks: a fake answering the bot's background calls cannot delay an ack's
// arrival in the measurement.

export type ServerCall =
  | { op: 'startBot'; env: Record<string, string> }
  | { op: 'startBare'; botToken: string; signingSecret: string; slackApiUrl: string }
  | { op: 'settle'; pauseMs?: number }
  | { op: 'cpu' }
  | { op: 'cards'; requestIds: string[] }
  | { op: 'requests'; requestIds: string[] }
  | { op: 'stop' };

export type FakesCall =
  | {
      op: 'startFakes';
      ecsLatencyMs: number;
      rebootMs?: number;
      /** Instances the fake ECS lists (the options benchmark's inventory, the fleet's tags). */
      inventory?: Array<{
        instanceId: string;
        name?: string;
        region?: string;
        tags?: Array<{ key: string; value: string }>;
        keyPairName?: string;
      }>;
      /** How long a Cloud Assistant command runs (the apply-now row). */
      commandMs?: number;
      /** Key pairs the fake ECS starts with (the apply-now row's, with its fingerprint). */
      keyPairs?: Array<{ keyPairName: string; fingerprint: string }>;
    }
  | { op: 'waitForCards'; count: number; timeoutMs?: number }
  | { op: 'waitForThreads'; count: number; timeoutMs?: number }
  /** `ignoreResponsesTo`: leave out answers to response_url ids starting with this. */
  | { op: 'report'; ignoreResponsesTo?: string }
  /** DescribeInstances calls the fake ECS has answered or is holding. */
  | { op: 'describeCalls' }
  | { op: 'waitForResponses'; prefix: string; count: number }
  | { op: 'ecsCalls'; since?: number }
  /** chat.postMessage calls from Slack call index `since`; waits for `atLeast` of them. */
  | { op: 'posts'; since?: number; atLeast?: number; timeoutMs?: number }
  | { op: 'stopFakes' };

export interface StartedServer {
  port: number;
  /** VOLC_MAX_CONCURRENCY as the bot's config read it (bot only). */
  maxConcurrency?: number;
}

export interface Settled {
  /** Log lines the bot wrote since the last settle. */
  logLines: number;
  /** WARN and ERROR lines since the last settle (first 20, truncated). */
  warnings: string[];
}

export interface CpuTime {
  userMicros: number;
  systemMicros: number;
}

/** Where a request's approval card lives, from the bot's store. */
export interface StoredCard {
  requestId: string;
  channel: string;
  ts: string;
}

/** A stored request's state (`requests`): status and how its steps ended. */
export interface StoredState {
  requestId: string;
  status: string;
  steps: number;
  failedSteps: number;
  /** Instance outcomes that are not ok, over every step. */
  failedOutcomes: number;
}

export interface FakeUrls {
  slackApiUrl: string;
  /** Base of the response_url sinks: `${slackUrl}/response_url/<id>`. */
  slackUrl: string;
  ecsUrl: string;
}

export interface FakesReport {
  /** Answers the bot sent to response_url sinks (it uses them only to refuse). */
  responses: number;
  firstResponse?: string;
  /** First results-thread message per card ts, with its arrival time (Date.now()). */
  threads: Array<[string, number]>;
  /** AttachKeyPair calls: arrival time (Date.now()) and the status answered. */
  ecsCalls: Array<{ at: number; status?: number }>;
}

/** One call the fake ECS API received (`ecsCalls`), in arrival order. */
export interface EcsCallRecord {
  seq: number;
  action: string;
  /** Date.now() at arrival. */
  at: number;
  /** Date.now() when the answer was written. */
  answeredAt?: number;
  status?: number;
  instanceIds: string[];
  /** DescribeInvocationResults: the invocation it read. */
  invocationId?: string;
}

/** One chat.postMessage the fake Slack received (`posts`). */
export interface SlackPost {
  /** Position among every recorded Slack call: pass the last one + 1 as `since`. */
  index: number;
  at: number;
  threadTs?: string;
  /** action_id -> value of every button in the message. */
  buttons: Record<string, string>;
}

export type ChildRequest<C> = C & { id: number };

export type ChildResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

/** Child side: answers every request from the parent with the handler's result. */
export function serveParent<C extends { op: string }>(handle: (call: C) => Promise<unknown>): void {
  const reply = (response: ChildResponse) => process.send?.(response);
  process.on('message', (message: ChildRequest<C>) => {
    handle(message).then(
      (value) => reply({ id: message.id, ok: true, value: value ?? null }),
      (error: unknown) =>
        reply({
          id: message.id,
          ok: false,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
