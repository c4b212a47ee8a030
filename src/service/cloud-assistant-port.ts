// The ECS calls behind "apply now" and the import command, as the service sees them: Cloud
// Assistant (agent status, run a command, find an invocation by name, read its results) and
// ImportKeyPair. Part of EcsApi (ports.ts); the real client and the test fakes implement them.

export interface AgentStatusRead {
  /** RequestIds of the answers (one per page). */
  requestIds: string[];
  /** The agents the API listed; an instance it left out has none. */
  agents: Array<{ instanceId: string; status: string }>;
}

export interface RunCommandCall {
  region: string;
  /** At most 200. */
  instanceIds: string[];
  /** Deterministic per step: how a resume finds an invocation whose answer was lost. */
  invocationName: string;
  /** The script as text (the client encodes it). */
  script: string;
  /** The Linux user it runs as. */
  username: string;
  timeoutSeconds: number;
}

export interface InvocationRef {
  requestId: string;
  invocationId: string;
}

export interface InvocationFound {
  requestId: string;
  /** Absent when no invocation has this name. */
  invocation?: { invocationId: string; status: string };
}

/** One instance's result of an invocation. */
export interface InvocationResult {
  instanceId: string;
  /** Pending, Running, Success, Failed or Timeout. */
  status: string;
  exitCode?: number;
  /** The command's output, decoded. */
  output?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface InvocationResultsPage {
  requestId: string;
  results: InvocationResult[];
  totalCount?: number;
}

export interface ImportKeyPairCall {
  region: string;
  keyPairName: string;
  /** One `type base64 [comment]` line. */
  publicKey: string;
  clientToken: string;
}

export interface ImportedKeyPair {
  requestId: string;
  keyPairId: string;
  keyPairName: string;
  fingerprint: string;
}

export interface CloudAssistantApi {
  /** The agents of these instances (at most 100), every page read. */
  cloudAssistantStatus(query: { region: string; instanceIds: string[] }): Promise<AgentStatusRead>;
  /**
   * Sends RunCommand once: it has no ClientToken, so a retry is the caller's decision, after
   * looking the invocation up by its name. Throws with `retryable` like any other call.
   */
  runCommand(call: RunCommandCall): Promise<InvocationRef>;
  findInvocation(query: { region: string; invocationName: string }): Promise<InvocationFound>;
  /** One page (1-based) of an invocation's per-instance results. */
  invocationResultsPage(query: {
    region: string;
    invocationId: string;
    pageNumber: number;
    pageSize: number;
  }): Promise<InvocationResultsPage>;
  importKeyPair(call: ImportKeyPairCall): Promise<ImportedKeyPair>;
}
