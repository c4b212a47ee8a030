import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CheckId, type DoctorOptions, runDoctor } from '../../src/doctor/doctor.js';
import {
  createUndiciTransport,
  type Transport,
  type TransportRequest,
} from '../../src/volcengine/ecs-client.js';
import { createEcsStandIn, type EcsStandIn, knownKey } from './ecs-stand-in.js';
import { type FakeEcsApi, startFakeEcsApi } from './fake-ecs-api.js';
import { type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.js';

// What the doctor's tests run against, in any language: a fake Slack, a fake ECS (DescribeKeyPairs)
// with a stand-in for DescribeInstances on the same key, a temporary directory, and the entry
// point as a child process.

export const CREDS = {
  accessKeyId: 'AKLTdoctorkeyid',
  secretAccessKey: 'DoctorSecretKey0123456789==',
};
export const BOT_TOKEN = 'xoxb-111-222-doctorBotToken';
export const APP_TOKEN = 'xapp-1-A111-doctorAppToken';

export interface DoctorRig {
  slack: FakeSlackApi;
  ecs: FakeEcsApi;
  /** DescribeInstances, which the fake ECS does not serve: same key, signatures checked. */
  instances: EcsStandIn;
  wire: ReturnType<typeof createUndiciTransport>;
  dir: string;
  /** DescribeInstances to the fake ECS's address goes to the stand-in; the rest over the wire. */
  volcTransport: Transport;
  close(): Promise<void>;
}

export async function startDoctorRig(): Promise<DoctorRig> {
  const slack = await startFakeSlackApi({ botUserId: 'UDOCTORBOT', teamId: 'T0DOCTOR' });
  const ecs = await startFakeEcsApi({ credentials: CREDS });
  const instances = createEcsStandIn({ keys: knownKey(CREDS) });
  const wire = createUndiciTransport();
  const dir = await mkdtemp(join(tmpdir(), 'doctor-'));
  const actionOf = (req: TransportRequest) => new URL(req.url).searchParams.get('Action');
  return {
    slack,
    ecs,
    instances,
    wire,
    dir,
    volcTransport: (req) =>
      new URL(req.url).origin === ecs.url && actionOf(req) === 'DescribeInstances'
        ? instances.transport(req)
        : wire(req),
    async close() {
      await slack.close();
      await ecs.close();
      await wire.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A valid HTTP-mode environment against the rig's fakes. */
export function rigEnv(rig: DoctorRig, overrides: Record<string, string | undefined> = {}) {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'doctor-signing-secret',
    SLACK_API_URL: rig.slack.apiUrl,
    VOLC_ACCESS_KEY_ID: CREDS.accessKeyId,
    VOLC_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    VOLC_ENDPOINT: rig.ecs.url,
    VOLC_REGION: 'cn-shanghai',
    APPROVER_USER_IDS: 'U0APPROVER1,U0APPROVER2',
    DATA_FILE: join(rig.dir, 'data', 'db.json'),
    ...overrides,
  };
}

/** runDoctor with the rig's transport; `line(name)` finds an English line, `lineOf(id)` any. */
export async function runRigDoctor(
  rig: DoctorRig,
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
) {
  const lines: string[] = [];
  const report = await runDoctor(env, {
    timeoutMs: 2_000,
    write: (line) => lines.push(line),
    volcTransport: rig.volcTransport,
    ...options,
  });
  const output = lines.join('\n');
  const line = (name: string) => {
    const found = lines.find((l) => l.slice(5).startsWith(`${name}: `));
    if (!found) throw new Error(`no line for ${name} in:\n${output}`);
    return found;
  };
  // Lines are written in the order of report.checks.
  const lineOf = (id: CheckId) => {
    const found = lines[report.checks.findIndex((c) => c.id === id)];
    if (found === undefined) throw new Error(`no line for ${id} in:\n${output}`);
    return found;
  };
  return { report, lines, line, lineOf, output };
}

/** `npm run doctor` as a child: its exit code and stdout. */
export function runEntryPoint(
  rig: DoctorRig,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, failed) => {
    const child = spawn(
      resolve('node_modules/.bin/tsx'),
      [resolve('src/doctor/main.ts')],
      // cwd without a .env, so dotenv adds nothing; PATH for tsx's own node lookup.
      { cwd: rig.dir, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.on('error', failed);
    child.on('close', (code) => done({ code, stdout }));
  });
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
