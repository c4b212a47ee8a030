import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckId, DoctorOptions } from '../../src/doctor/doctor.js';
import { zhDoctor } from '../../src/doctor/i18n/zh.js';
import { zhOutcome } from '../../src/slack/i18n/zh-outcome.js';
import type { Transport } from '../../src/volcengine/ecs-client.js';
import {
  APP_TOKEN,
  CREDS,
  closedPort,
  type DoctorRig,
  rigEnv,
  runEntryPoint,
  runRigDoctor,
  startDoctorRig,
} from '../support/doctor-rig.js';
import { createEcsStandIn, type EcsStandIn } from '../support/ecs-stand-in.js';
import { type FakeStsApi, startFakeStsApi } from '../support/fake-sts-api.js';

// `npm run doctor` with DEFAULT_LOCALE=zh-CN (issue 13): every check's line in Chinese, with the
// same structure as in English (label, name, detail, fix) and codes, variables, URLs and ids left
// as they are. English is doctor.test.ts.

const IDS: CheckId[] = [
  'configuration',
  'slackBotToken',
  'slackAppToken',
  'assumeRole',
  'volcCredentials',
  'describeInstances',
  'cloudAssistant',
  'clock',
  'dataDirectory',
  'requestStore',
  'approvers',
  'policyFile',
];
const N = zhDoctor.names;
const HAN = /\p{Script=Han}/u;

let rig: DoctorRig;
beforeEach(async () => {
  rig = await startDoctorRig();
});
afterEach(() => rig.close());

const zhEnv = (overrides: Record<string, string | undefined> = {}) =>
  rigEnv(rig, { DEFAULT_LOCALE: 'zh-CN', ...overrides });
const doctor = (env: Record<string, string | undefined>, options: DoctorOptions = {}) =>
  runRigDoctor(rig, env, options);

/** `正常 名称：…` with Chinese after the name. */
const shape = (label: string, id: CheckId) =>
  new RegExp(`^${label} ${N[id].replace(/[()]/g, '\\$&')}：.*\\p{Script=Han}`, 'u');

/** Every line but those of `failing` is `正常`. */
function expectOthersOk(lineOf: (id: CheckId) => string, ...failing: CheckId[]) {
  for (const id of IDS) if (!failing.includes(id)) expect(lineOf(id)).toMatch(shape('正常', id));
}

describe('runDoctor in Chinese: everything in order', () => {
  it('prints every check in Chinese, in the same order, with the same ids', async () => {
    const { report, lines, lineOf } = await doctor(zhEnv());
    expect(report.ok).toBe(true);
    expect(report.locale).toBe('zh-CN');
    expect(report.checks.map((c) => c.id)).toEqual(IDS);
    expect(report.checks.map((c) => c.name)).toEqual(IDS.map((id) => N[id]));
    expect(lines).toHaveLength(IDS.length);
    expectOthersOk(lineOf);
    expect(lineOf('configuration')).toBe(
      '正常 配置：有效（HTTP 模式，监听 0.0.0.0:3000，火山引擎地域 cn-shanghai）',
    );
    expect(lineOf('slackBotToken')).toBe(
      '正常 Slack Bot 令牌：@attach-key-bot（UDOCTORBOT），所在工作区 Fake Team（T0DOCTOR）',
    );
    expect(lineOf('slackAppToken')).toMatch(/^正常 Slack 应用级令牌：未设置，因此使用 HTTP 模式/);
    expect(lineOf('assumeRole')).toBe(
      '正常 角色扮演（AssumeRole）：未使用（未设置 VOLC_ROLE_TRN）：ECS 调用直接用 VOLC_ACCESS_KEY_ID 签名',
    );
    expect(lineOf('volcCredentials')).toMatch(
      /^正常 火山引擎访问密钥：已通过 cn-shanghai 地域的 DescribeKeyPairs 验证（RequestId \S+）$/,
    );
    expect(lineOf('describeInstances')).toBe(
      '正常 ECS DescribeInstances 权限：cn-shanghai 地域已授权，可见 0 台实例（RequestId standin-0001）',
    );
    expect(lineOf('clock')).toMatch(/^正常 系统时钟：与火山引擎 API 的时钟相差不超过 [01] 秒$/);
    expect(lineOf('dataDirectory')).toMatch(/^正常 数据目录：\S+ 可写（目录由本次检查创建）$/);
    expect(lineOf('requestStore')).toMatch(/尚不存在；机器人会在收到第一个请求时创建它$/);
    expect(lineOf('approvers')).toBe(
      '正常 审批人：2 位审批人（U0APPROVER1、U0APPROVER2）；不允许审批自己发起的请求',
    );
  });

  it('speaks Chinese in Socket Mode and in sandbox mode too', async () => {
    const socket = await doctor(zhEnv({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' }));
    expect(socket.lineOf('configuration')).toContain('Socket 模式');
    expect(socket.lineOf('slackAppToken')).toBe(
      '正常 Slack 应用级令牌：xapp-… 已被 apps.connections.open 接受（Socket 模式）',
    );
    const sandbox = await doctor(
      zhEnv({ VOLC_SANDBOX: 'true', VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' }),
    );
    expect(sandbox.report.ok).toBe(true);
    expect(sandbox.lineOf('configuration')).toContain('沙箱 ECS');
    expect(sandbox.lineOf('assumeRole')).toBe('正常 角色扮演（AssumeRole）：沙箱模式下不使用');
    expect(sandbox.lineOf('describeInstances')).toBe(
      '正常 ECS DescribeInstances 权限：沙箱：无需检查权限',
    );
    expect(sandbox.lineOf('clock')).toMatch(/沙箱的时间/);
  });
});

describe('runDoctor in Chinese: failures', () => {
  it('reads DEFAULT_LOCALE from the raw environment when the config is refused', async () => {
    const { report, lineOf } = await doctor(zhEnv({ VOLC_REGION: 'Beijing', PORT: 'eighty' }));
    expect(report.locale).toBe('zh-CN');
    expect(lineOf('configuration')).toMatch(
      /^失败 配置：2 个变量无效 — (VOLC_REGION|PORT)：.*。修复：在 .env 或环境变量中设置它们（.env.example 说明了每个变量）$/,
    );
    for (const id of IDS.slice(1)) {
      expect(lineOf(id)).toBe(`跳过 ${N[id]}：需要有效的配置（见“配置”一项）`);
    }
    // A DEFAULT_LOCALE the config refuses still says which language was meant; others: English.
    const zh = await doctor(zhEnv({ DEFAULT_LOCALE: 'zh' }));
    expect(zh.lineOf('configuration')).toMatch(/^失败 配置：1 个变量无效 — DEFAULT_LOCALE：/);
    const fr = await doctor(zhEnv({ DEFAULT_LOCALE: 'fr' }));
    expect(fr.report.locale).toBe('en');
    expect(fr.lineOf('configuration')).toMatch(/^FAIL Configuration: 1 variable is not valid/);
  });

  it('words Slack refusals and an unreachable Slack API in Chinese', async () => {
    rig.slack.fail('auth.test', { kind: 'error', error: 'invalid_auth' });
    const refused = await doctor(zhEnv());
    expect(refused.lineOf('slackBotToken')).toBe(
      '失败 Slack Bot 令牌：invalid_auth — SLACK_BOT_TOKEN (xoxb-…) 无效。修复：在 OAuth & Permissions 页面复制 Bot User OAuth Token（如果已被吊销，请重新安装应用）',
    );
    expectOthersOk(refused.lineOf, 'slackBotToken');
    const url = `http://127.0.0.1:${await closedPort()}/api/`;
    const unreachable = await doctor(zhEnv({ SLACK_API_URL: url }));
    expect(unreachable.lineOf('slackBotToken')).toBe(
      `失败 Slack Bot 令牌：无法连接 ${url}（ECONNREFUSED）。修复：检查网络/代理和 SLACK_API_URL`,
    );
  });

  it('words the Volcengine failures in Chinese, codes left as they are', async () => {
    const secret = await doctor(zhEnv({ VOLC_SECRET_ACCESS_KEY: 'NotTheRightSecret000==' }));
    expect(secret.lineOf('volcCredentials')).toMatch(
      /^失败 火山引擎访问密钥：SignatureDoesNotMatch \(HTTP 401\) — Secret Access Key 不正确。修复：将 VOLC_SECRET_ACCESS_KEY 设为/,
    );
    expect(secret.lineOf('describeInstances')).toBe(
      '跳过 ECS DescribeInstances 权限：与 DescribeKeyPairs 一样失败（SignatureDoesNotMatch）：见“火山引擎访问密钥”一项',
    );
    rig.ecs.script({
      action: 'DescribeCloudAssistantStatus',
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
    });
    const noAssistant = await doctor(zhEnv());
    expect(noAssistant.lineOf('cloudAssistant')).toBe(
      '失败 ECS 云助手权限：AccessDenied (HTTP 403) — 该访问密钥无权调用 ecs:DescribeCloudAssistantStatus，立即生效无法使用（绑定、重启和撤销不受影响）。修复：如需使用立即生效和 /attach-key import，请在访问密钥的策略中允许 ecs:DescribeCloudAssistantStatus、ecs:RunCommand、ecs:DescribeInvocations、ecs:DescribeInvocationResults、ecs:ImportKeyPair',
    );

    rig.instances.on('DescribeInstances', () => ({ status: 403, error: { code: 'LackPolicy' } }));
    const denied = await doctor(zhEnv());
    expect(denied.lineOf('describeInstances')).toBe(
      '失败 ECS DescribeInstances 权限：LackPolicy (HTTP 403) — 该访问密钥无权调用 ecs:DescribeInstances。修复：在访问密钥的策略中允许 ecs:DescribeInstances（机器人在预览、选择实例和重启后检查时都要读取实例）',
    );
    expectOthersOk(denied.lineOf, 'describeInstances');
  });

  it('uses the Chinese outcome catalogue for other codes, and the API message for unknown ones', async () => {
    rig.ecs.script({
      action: 'DescribeKeyPairs',
      kind: 'error',
      status: 404,
      code: 'ServiceNotFound',
    });
    const known = await doctor(zhEnv());
    const [what, fix] = zhOutcome.explanations.ServiceNotFound.split('；');
    expect(known.lineOf('volcCredentials')).toBe(
      `失败 火山引擎访问密钥：ServiceNotFound (HTTP 404) — ${what}。修复：${fix}`,
    );
    rig.ecs.script({
      action: 'DescribeKeyPairs',
      kind: 'error',
      status: 400,
      code: 'SomethingNew',
      message: 'odd answer',
    });
    const unknown = await doctor(zhEnv());
    // The client's message (English, with the API's own words) stands where no line exists.
    expect(unknown.lineOf('volcCredentials')).toMatch(
      /^失败 火山引擎访问密钥：SomethingNew \(HTTP 400\) — .*odd answer。修复：检查 VOLC_\* 配置$/,
    );
  });

  it('says how far off the clock is in Chinese', async () => {
    const { lineOf } = await doctor(zhEnv(), { now: () => new Date(Date.now() + 5 * 60_000) });
    expect(lineOf('clock')).toMatch(
      /^失败 系统时钟：比火山引擎 API 的时钟快 (4 分 59|5 分 [01]) 秒（Date: .+）；偏差这么大的签名会被拒绝（InvalidTimestamp）。修复：用 NTP 同步系统时钟/,
    );
    expectOthersOk(lineOf, 'clock');
  });

  it('words the data directory and the store file in Chinese', async () => {
    const blocker = join(rig.dir, 'not-a-directory');
    await writeFile(blocker, 'a regular file');
    const blocked = await doctor(zhEnv({ DATA_FILE: join(blocker, 'data', 'db.json') }));
    expect(blocked.lineOf('dataDirectory')).toBe(
      `失败 数据目录：无法创建 ${resolve(blocker, 'data')}（ENOTDIR）。修复：将 DATA_FILE 指向一个文件，其所在目录须能由机器人的运行用户创建并写入`,
    );
    expect(blocked.lineOf('requestStore')).toMatch(/^跳过 请求存储：.*所在目录不可用/);

    const file = join(rig.dir, 'db.json');
    await writeFile(file, '{"version":1,"requests":');
    const corrupt = await doctor(zhEnv({ DATA_FILE: file }));
    // The store's own message stays as the store wrote it (English), after a Chinese lead.
    expect(corrupt.lineOf('requestStore')).toMatch(
      /^失败 请求存储：请求存储文件不可用：The request store .*db\.json is not valid JSON/,
    );
    await writeFile(file, '{"version":1,"requests":{}}');
    const old = await doctor(zhEnv({ DATA_FILE: file }));
    expect(old.lineOf('requestStore')).toBe(
      `正常 请求存储：${file} 读取正常（0 个请求，27 字节；格式版本 1，下次启动时自动升级）`,
    );
  });

  it('never prints a secret in Chinese either', async () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxb-LEAKCANARY-bot-9f8e7d',
      VOLC_SECRET_ACCESS_KEY: 'LeakCanarySecretAccessKey/+==',
    };
    rig.slack.fail('auth.test', { kind: 'error', error: `bad_${secrets.SLACK_BOT_TOKEN}` });
    const { report, output, lineOf } = await doctor(zhEnv(secrets));
    expect(lineOf('slackBotToken')).toMatch(
      /^失败 Slack Bot 令牌：.*\[redacted\].*Slack 拒绝了 auth\.test/,
    );
    for (const text of [output, JSON.stringify(report)])
      expect(text).not.toMatch(/LEAKCANARY|LeakCanary/);
  });
});

describe('runDoctor in Chinese: AssumeRole', () => {
  const ROLE = 'trn:iam::2100000001:role/attach-key-bot';
  let sts: FakeStsApi;
  let roleEcs: EcsStandIn;
  beforeEach(async () => {
    sts = await startFakeStsApi({ baseCredentials: CREDS });
    roleEcs = createEcsStandIn({ keys: (ak) => sts.resolve(ak) });
  });
  afterEach(() => sts.close());

  const roleTransport: Transport = (req) =>
    new URL(req.url).origin === rig.ecs.url ? roleEcs.transport(req) : rig.wire(req);
  const roleDoctor = () =>
    doctor(zhEnv({ VOLC_ROLE_TRN: ROLE, VOLC_STS_ENDPOINT: sts.url }), {
      volcTransport: roleTransport,
    });

  it('says the role works, and what the base key lacks when STS refuses', async () => {
    const works = await roleDoctor();
    expect(works.lineOf('assumeRole')).toMatch(
      new RegExp(
        `^正常 角色扮演（AssumeRole）：${ROLE} 可用：会话 attach-key-bot，临时凭证有效期至 \\S+Z，已被 ECS 接受$`,
      ),
    );
    expect(works.lineOf('volcCredentials')).toMatch(/，使用角色的临时凭证签名$/);

    sts.script({ kind: 'error', status: 403, code: 'AccessDenied', message: 'no' });
    const denied = await roleDoctor();
    expect(denied.lineOf('assumeRole')).toBe(
      `失败 角色扮演（AssumeRole）：AccessDenied (HTTP 403) — 基础访问密钥（VOLC_ACCESS_KEY_ID）调用 sts:AssumeRole 被拒绝：该密钥无权扮演 ${ROLE}。修复：在该访问密钥所属用户的策略中允许对 ${ROLE} 执行 sts:AssumeRole，并在角色的信任策略中信任该用户`,
    );
    const needs = '需要角色的临时凭证（见“角色扮演”一项）';
    expect(denied.lineOf('volcCredentials')).toBe(`跳过 火山引擎访问密钥：${needs}`);
    expect(denied.lineOf('describeInstances')).toBe(`跳过 ECS DescribeInstances 权限：${needs}`);
  });

  it('says the role lacks permission when ECS refuses its credentials', async () => {
    roleEcs.on('DescribeKeyPairs', () => ({ status: 403, error: { code: 'AccessDenied' } }));
    const { lineOf } = await roleDoctor();
    expect(lineOf('assumeRole')).toBe(
      `失败 角色扮演（AssumeRole）：已扮演 ${ROLE}，但 ECS 拒绝了它的临时凭证（ecs:DescribeKeyPairs: AccessDenied）：该角色缺少权限。修复：为该角色添加允许 ecs:DescribeKeyPairs、ecs:DescribeInstances、ecs:AttachKeyPair、ecs:RebootInstances、ecs:DetachKeyPair 的策略`,
    );
    expect(lineOf('volcCredentials')).toBe(
      '失败 火山引擎访问密钥：AccessDenied (HTTP 403) — 该角色无权调用 ecs:DescribeKeyPairs。修复：角色的策略必须允许 ecs:DescribeKeyPairs 和 ecs:AttachKeyPair',
    );
  });
});

describe('doctor entry point in Chinese', () => {
  it('prints the summary in Chinese, with the same exit codes', async () => {
    const served = await rig.instances.listen();
    const good = await runEntryPoint(rig, zhEnv({ VOLC_ENDPOINT: served.url })).finally(() =>
      served.close(),
    );
    expect(good.stdout).toMatch(/^正常 配置：/m);
    expect(good.stdout).toContain('\n全部 12 项检查通过。\n');
    expect(good.code).toBe(0);
    const bad = await runEntryPoint(rig, zhEnv({ APPROVER_USER_IDS: '' }));
    expect(bad.stdout).toMatch(/^失败 配置：.*APPROVER_USER_IDS/m);
    expect(bad.stdout).toContain(
      '\n1 项失败，11 项跳过：请先处理“失败”的各项，再重新运行 npm run doctor。\n',
    );
    expect(bad.code).toBe(1);
    expect(HAN.test(bad.stdout)).toBe(true);
  });
});
