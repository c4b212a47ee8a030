import { zhOutcome } from '../../slack/i18n/zh-outcome.js';
import type { PgReason } from '../../store/pg-doctor.js';
import type { DoctorTexts } from './en.js';
import { zhDoctorSlack } from './zh-slack.js';
import { zhDoctorVolc } from './zh-volc.js';

// doctor 的简体中文。Typed as DoctorTexts: a key missing here is a compile error; the test checks
// the other direction and that every text is Chinese. 错误码、变量名、URL 和 ID 保持原样。

const reason = (r: PgReason) => `${r.code ? `${r.code}: ` : ''}${r.message || '无响应'}`;
const schema = (version: number) => (version === 0 ? '尚无 schema' : `schema 版本为 ${version}`);
const PG_README = '（见 README 的 PostgreSQL 一节）';

export const zhDoctor: DoctorTexts = {
  locale: 'zh-CN',
  names: {
    configuration: '配置',
    slackBotToken: 'Slack Bot 令牌',
    slackAppToken: 'Slack 应用级令牌',
    assumeRole: '角色扮演（AssumeRole）',
    volcCredentials: '火山引擎访问密钥',
    describeInstances: 'ECS DescribeInstances 权限',
    cloudAssistant: 'ECS 云助手权限',
    clock: '系统时钟',
    dataDirectory: '数据目录',
    requestStore: '请求存储',
    approvers: '审批人',
    policyFile: '审批策略文件',
    accounts: '账号',
  },
  ofAccount: (name, account) => `${name}（账号 ${account}）`,
  labels: { ok: '正常', fail: '失败', skip: '跳过' },
  // The labels are all two Han characters wide, the width of "FAIL": the names line up.
  line: (label, name, detail) => `${label} ${name}：${detail}`,
  withFix: (what, fix) => `${what}。修复：${fix}`,
  summary: {
    passed: (n) => `全部 ${n} 项检查通过。`,
    failed: (failed, skipped) =>
      `${failed} 项失败，${skipped} 项跳过：请先处理“失败”的各项，再重新运行 npm run doctor。`,
  },
  crashed: (name) => `doctor 崩溃了（这是程序缺陷，请反馈给维护者）：${name}`,
  common: {
    unexpected: (text) => `意外错误：${text}`,
    report: '请带上这一行反馈给维护者',
    unknownError: '未知错误',
    needsConfig: '需要有效的配置（见“配置”一项）',
    noAnswerWithin: (ms) => `${ms} 毫秒内无响应`,
    cannotReach: (url, why) => `无法连接 ${url}（${why}）`,
    checkNetwork: (variable) => `检查网络/代理和 ${variable}`,
    duration: (minutes, seconds) => (minutes > 0 ? `${minutes} 分 ${seconds} 秒` : `${seconds} 秒`),
  },
  config: {
    valid: (mode, ecs) => `有效（${mode}，${ecs}）`,
    socketMode: 'Socket 模式',
    httpMode: (host, port) => `HTTP 模式，监听 ${host}:${port}`,
    sandbox: '沙箱 ECS',
    region: (region) => `火山引擎地域 ${region}`,
    unreadable: (text) => `无法读取：${text}`,
    invalid: (problems) => `${problems.length} 个变量无效 — ${problems.join('；')}`,
    problems: (variable, problems) => `${variable}：${problems.join('，')}`,
    invalidFix: '在 .env 或环境变量中设置它们（.env.example 说明了每个变量）',
  },
  storage: {
    cannotCreate: (dir, code) => `无法创建 ${dir}（${code}）`,
    cannotCreateFix: '将 DATA_FILE 指向一个文件，其所在目录须能由机器人的运行用户创建并写入',
    cannotWrite: (dir, code) => `无法在 ${dir} 中写入（${code}）`,
    cannotWriteFix: (dir) => `为机器人的运行用户授予 ${dir} 的写权限，或将 DATA_FILE 指向别处`,
    writable: (dir, created) => `${dir} 可写${created ? '（目录由本次检查创建）' : ''}`,
    notYet: (file) => `${file} 尚不存在；机器人会在收到第一个请求时创建它`,
    waitsForDirectory: (file) => `${file} 所在目录不可用，文件无法创建（见“数据目录”一项）`,
    readsFine: (file, found) =>
      `${file} 读取正常（${found.live} 个请求，${found.fileBytes} 字节${found.history === undefined ? '' : `，历史记录中 ${found.history} 个`}${found.version < 2 ? `；格式版本 ${found.version}，下次启动时自动升级` : ''}）`,
    // The store's message is its own (English) text and already says what to do.
    storeError: (message) => `请求存储文件不可用：${message}`,
    pg: {
      ready: (p) => ({
        text: `${p.where}：schema 版本 ${p.version}，可写（已在回滚的事务中验证）`,
      }),
      migrates_at_start: (p) => ({
        text: `${p.where} 可连接；${schema(p.from)}，机器人启动时会将其迁移到版本 ${p.to}`,
      }),
      newer_schema: (p) => ({
        text: `${p.where} 的 schema 版本为 ${p.version}，来自更新版本的机器人（当前版本只支持到 ${p.known}）`,
        fix: '运行更新版本的机器人，或将 DATABASE_URL 指向另一个数据库',
      }),
      cannot_migrate: (p) => ({
        text: `${p.where} ${schema(p.from)}，且当前数据库角色无权建表，无法迁移到版本 ${p.to}`,
        fix: `用数据库属主（owner）的 DATABASE_URL 启动一次机器人${PG_README}`,
      }),
      query_failed: (p) => ({
        text: `${p.where} 返回错误：${reason(p.reason)}`,
        fix: `检查 DATABASE_URL 和该数据库角色的权限${PG_README}`,
      }),
      read_only: () => ({ text: '服务器为只读（备库）', fix: '将 DATABASE_URL 指向主库' }),
      write_denied: (p) => ({
        text: `当前数据库角色无权写入机器人的表（${p.message}）`,
        fix: `按 README 的 PostgreSQL 一节为它授权`,
      }),
      login_refused: (p) => ({
        text: `${p.where} 拒绝登录（${reason(p.reason)}）`,
        fix: '检查 DATABASE_URL 中的用户名和密码（以及服务器上的 pg_hba.conf）',
      }),
      no_database: (p) => ({
        text: `DATABASE_URL 中的数据库在 ${p.where} 上不存在（${reason(p.reason)}）`,
        fix: '创建该数据库（CREATE DATABASE …），或改正 DATABASE_URL 中的库名',
      }),
      unreachable: (p) => ({
        text: `无法连接 ${p.where}（${reason(p.reason)}）`,
        fix: '确认 PostgreSQL 正在运行，并检查 DATABASE_URL 中的主机和端口',
      }),
      connect_failed: (p) => ({
        text: `连接 ${p.where} 失败（${reason(p.reason)}）`,
        fix: '检查 DATABASE_URL',
      }),
    },
  },
  approvers: {
    none: '未配置审批人，任何请求都无法获批',
    noneFix: '设置 APPROVER_USER_IDS',
    some: (n, shown, more, selfApproval) =>
      `${n} 位审批人（${shown.join('、')}${more > 0 ? `，另有 ${more} 位` : ''}）；${selfApproval ? '允许' : '不允许'}审批自己发起的请求`,
  },
  policy: {
    unset: (minApprovals) =>
      `未设置（POLICY_FILE）：每个请求需要 APPROVER_USER_IDS 中 ${minApprovals} 人审批`,
    read: (n, names, minApprovals) =>
      `${n} 条规则（${names.join('、')}）；每个请求至少 ${minApprovals} 人审批`,
    invalid: (message) => `文件无法使用：${message}`,
    invalidFix:
      '按 README 的 Approval policy 一节修正该文件，或取消 POLICY_FILE；修正前 bot 拒绝启动',
  },
  accounts: {
    account: (name, id, channels) =>
      `${name}${id ? `（${id}）` : ''}：${channels.length ? `频道 ${channels.join('、')}` : '没有专属频道'}`,
    read: (parts, required) =>
      `${parts.join('；')}${required ? '。其他频道须指定 account=' : '。其他频道使用唯一的账号'}`,
  },
  slack: zhDoctorSlack,
  volc: zhDoctorVolc,
  outcome: zhOutcome,
  outcomeFixAfter: '；',
};
