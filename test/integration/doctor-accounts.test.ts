import { afterEach, describe, expect, it } from 'vitest';
import { VOLC_CREDENTIALS } from '../support/bot-harness.js';
import { type DoctorRig, rigEnv, runRigDoctor, startDoctorRig } from '../support/doctor-rig.js';
import { STAGING_KEY, startTwoAccounts, type TwoAccounts } from '../support/two-accounts.js';

// npm run doctor with ACCOUNTS_FILE (issue 24): each account checked on lines of its own, with its
// own credentials, and which channel maps to which account.

let rig: DoctorRig | undefined;
let two: TwoAccounts | undefined;
afterEach(async () => {
  await rig?.close();
  await two?.close();
  rig = undefined;
  two = undefined;
});

describe('doctor with several accounts', () => {
  it('checks each account on its own lines and names the channel mapping', async () => {
    rig = await startDoctorRig();
    two = await startTwoAccounts();
    const env = rigEnv(rig, {
      ...two.env,
      VOLC_ACCESS_KEY_ID: VOLC_CREDENTIALS.accessKeyId,
      VOLC_SECRET_ACCESS_KEY: VOLC_CREDENTIALS.secretAccessKey,
      VOLC_REGION: 'cn-beijing',
    });
    // One account's key is refused: its lines fail, the other's pass.
    two.staging.script({
      action: 'DescribeKeyPairs',
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
    });
    const { line, output } = await runRigDoctor(rig, env, { volcTransport: undefined as never });
    expect(line('Accounts')).toContain(
      'prod (2100000001): channels C0PROD; staging: channels C0STAGE',
    );
    expect(line('Accounts')).toContain('Other channels must name account=');
    expect(line('AssumeRole [prod]')).toMatch(/^ok /);
    expect(line('Volcengine credentials [prod]')).toMatch(/^ok /);
    expect(line('ECS DescribeInstances [prod]')).toMatch(/^ok /);
    expect(line('Volcengine credentials [staging]')).toMatch(/^FAIL /);
    expect(line('Volcengine credentials [staging]')).toContain('AccessDenied');
    expect(output).not.toContain(STAGING_KEY.secretAccessKey);
    // The staging key reached staging only; prod saw only STS-issued keys.
    expect(two.staging.calls.every((c) => c.accessKeyId === STAGING_KEY.accessKeyId)).toBe(true);
    expect(two.prod.calls.length).toBeGreaterThan(0);
    expect(two.prod.calls.every((c) => c.auth.ok)).toBe(true);
  });
});
