import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VOLC_CREDENTIALS } from './bot-harness.js';
import { type FakeEcsApi, type FakeInstanceSpec, startFakeEcsApi } from './fake-ecs-api.js';
import { type FakeStsApi, startFakeStsApi } from './fake-sts-api.js';

// Two Volcengine accounts on loopback (issue 24), behind the one VOLC_ENDPOINT the bot has:
// - prod: reached only with temporary keys the fake STS issued for PROD_TRN (AssumeRole with the
//   base key VOLC_CREDENTIALS);
// - staging: reached only with its own static key (STAGING_KEY, read from STAGING_AK/STAGING_SK).
// A router picks the account by the call's access key id; a key neither account knows goes to
// staging, which refuses it (InvalidAccessKey). Each inventory is strict: only its own instances
// exist, so a call made with the wrong account's credentials finds nothing.

export const PROD_TRN = 'trn:iam::2100000001:role/attach-key-bot';
export const STAGING_KEY = {
  accessKeyId: 'AKLTstagingaccesskey01',
  secretAccessKey: 'staging-secret-key-0123456789==',
};
export const STAGING_ACCOUNT_ID = '2100000002';
export const PROD_CHANNEL = 'C0PROD';
export const STAGING_CHANNEL = 'C0STAGE';
export const PROD_INSTANCE = 'i-prodinstance0001';
export const STAGING_INSTANCE = 'i-staginginstance01';

export interface TwoAccounts {
  sts: FakeStsApi;
  prod: FakeEcsApi;
  staging: FakeEcsApi;
  url: string;
  accountsFile: string;
  /** The variables the harness needs (merge into its env). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const ACCOUNTS_YAML = `accounts:
  - name: prod
    roleTrn: ${PROD_TRN}
    regions: [cn-beijing, cn-shanghai]
    defaultRegion: cn-beijing
    channels: [${PROD_CHANNEL}]
  - name: staging
    accessKeyIdEnv: STAGING_AK
    secretAccessKeyEnv: STAGING_SK
    channels: [${STAGING_CHANNEL}]
`;

export async function startTwoAccounts(
  options: { prodInstances?: FakeInstanceSpec[]; stagingInstances?: FakeInstanceSpec[] } = {},
): Promise<TwoAccounts> {
  // GetCallerIdentity tells staging's account id (a role's TRN names prod's).
  const sts = await startFakeStsApi({
    baseCredentials: VOLC_CREDENTIALS,
    identities: [{ ...STAGING_KEY, accountId: STAGING_ACCOUNT_ID }],
  });
  const prodKey = (accessKeyId: string) => {
    const issued = sts.issued.find((i) => i.accessKeyId === accessKeyId);
    return issued?.roleTrn === PROD_TRN ? sts.resolve(accessKeyId) : undefined;
  };
  const keyPairs = [{ keyPairId: 'kp-shared0000001', keyPairName: 'ops-key' }];
  const prod = await startFakeEcsApi({
    credentials: prodKey,
    strictInstances: true,
    strictKeyPairs: true,
    keyPairs,
    instances: options.prodInstances ?? [{ instanceId: PROD_INSTANCE, status: 'RUNNING' }],
  });
  const staging = await startFakeEcsApi({
    credentials: STAGING_KEY,
    strictInstances: true,
    strictKeyPairs: true,
    keyPairs,
    instances: options.stagingInstances ?? [{ instanceId: STAGING_INSTANCE, status: 'RUNNING' }],
  });
  const targets = { prod: new URL(prod.url), staging: new URL(staging.url) };
  const router = createServer((req, res) => {
    const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const target = prodKey(key) ? targets.prod : targets.staging;
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // The Host header is signed: it stays the one the bot sent (the router's).
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(router.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'attach-key-accounts-'));
  const accountsFile = join(dir, 'accounts.yaml');
  await writeFile(accountsFile, ACCOUNTS_YAML);
  return {
    sts,
    prod,
    staging,
    url,
    accountsFile,
    env: {
      ACCOUNTS_FILE: accountsFile,
      STAGING_AK: STAGING_KEY.accessKeyId,
      STAGING_SK: STAGING_KEY.secretAccessKey,
      VOLC_ENDPOINT: url,
      VOLC_STS_ENDPOINT: sts.url,
    },
    async close() {
      router.closeAllConnections();
      await new Promise<void>((resolve) => router.close(() => resolve()));
      await Promise.all([sts.close(), prod.close(), staging.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
