import type { Config } from '../config/config.js';
import { type AssumeRoleOptions, createAssumeRoleProvider } from '../volcengine/assume-role.js';
import { type CredentialsProvider, createStaticCredentials } from '../volcengine/credentials.js';

// The provider the configuration asks for, so bot.ts wires credentials in one line:
//   credentials: createCredentialsProvider(config.volc, { transport, autoRefresh: true, onRefresh })

export type CredentialsWiring = Partial<
  Omit<
    AssumeRoleOptions,
    'baseCredentials' | 'roleTrn' | 'sessionName' | 'durationSeconds' | 'stsEndpoint'
  >
> & {
  /** With a role: start the background refresh timer at once (stopped by close()). */
  autoRefresh?: boolean;
};

export function createCredentialsProvider(
  volc: Config['volc'],
  wiring: CredentialsWiring = {},
): CredentialsProvider & { close(): Promise<void> } {
  const base = { accessKeyId: volc.accessKeyId, secretAccessKey: volc.secretAccessKey };
  if (!volc.role) {
    const fixed = createStaticCredentials({
      ...base,
      ...(volc.sessionToken ? { sessionToken: volc.sessionToken } : {}),
    });
    return { get: fixed.get, close: async () => {} };
  }
  const { autoRefresh, ...options } = wiring;
  // The STS call shares the ECS call budget unless the wiring says otherwise.
  const provider = createAssumeRoleProvider({
    timeoutMs: volc.timeoutMs,
    maxAttempts: volc.maxAttempts,
    deadlineMs: volc.deadlineMs,
    ...options,
    baseCredentials: base,
    roleTrn: volc.role.trn,
    sessionName: volc.role.sessionName,
    durationSeconds: volc.role.durationSeconds,
    stsEndpoint: volc.role.stsEndpoint,
  });
  if (autoRefresh) provider.start();
  return provider;
}
