import type { DoctorTexts } from './en.js';
import type { Principal } from './en-volc.js';

// doctor 关于火山引擎的简体中文：角色扮演（AssumeRole）、访问密钥（DescribeKeyPairs）、
// ecs:DescribeInstances 权限、系统时钟，以及调用失败时怎么说。术语按火山引擎控制台：访问密钥、
// 角色、策略、信任策略、临时凭证、地域、实例。

const whose = (who: Principal) => (who === 'role' ? '角色' : '访问密钥');
const clockOf = (sandbox: boolean) =>
  sandbox ? '沙箱的时间（沙箱使用本机时钟）' : '火山引擎 API 的时钟';

export const zhDoctorVolc: DoctorTexts['volc'] = {
  needsRole: '需要角色的临时凭证（见“角色扮演”一项）',
  notUsable: (variable, text) => `${variable} 不可用：${text}`,
  notUsableFix: (variable, url) => `将 ${variable} 设为 ${url}（或不设置）`,
  needsEndpoint: '需要可用的 VOLC_ENDPOINT（见“火山引擎访问密钥”一项）',
  sandboxCredentials: '沙箱：无需访问密钥（模拟的 ECS 已响应 DescribeKeyPairs）',
  credentialsOk: (region, requestId, who) =>
    `已通过 ${region} 地域的 DescribeKeyPairs 验证（RequestId ${requestId}）${who === 'role' ? '，使用角色的临时凭证签名' : ''}`,
  mayNotCallEcs: (head, who, call) => `${head} — 该${whose(who)}无权调用 ${call}`,
  mayNotCallEcsFix: (who, call) =>
    `${whose(who)}的策略必须允许 ${call}${call === 'ecs:AttachKeyPair' ? '' : ' 和 ecs:AttachKeyPair'}`,
  instancesOk: (region, visible, requestId) =>
    `${region} 地域已授权${visible !== undefined ? `，可见 ${visible} 台实例` : ''}（RequestId ${requestId}）`,
  sandboxInstances: '沙箱：无需检查权限',
  failedLikeKeyPairs: (code) => `与 DescribeKeyPairs 一样失败（${code}）：见“火山引擎访问密钥”一项`,
  mayNotDescribe: (head, who, call) => `${head} — 该${whose(who)}无权调用 ${call}`,
  mayNotDescribeFix: (who, call) =>
    `在${whose(who)}的策略中允许 ${call}（机器人在预览、选择实例和重启后检查时都要读取实例）`,
  cloudAssistant: {
    ok: (region, visible, requestId, others) =>
      `${region} 地域已允许 ecs:DescribeCloudAssistantStatus${visible !== undefined ? `，可见 ${visible} 个云助手客户端` : ''}（RequestId ${requestId}）；立即生效还需要 ${others.join('、')}，它们会执行命令或创建密钥对，这里不做调用检查`,
    sandbox: (others) =>
      `沙箱：模拟环境；上线后立即生效需要 ecs:DescribeCloudAssistantStatus 以及 ${others.join('、')}`,
    denied: (head, who) =>
      `${head} — 该${whose(who)}无权调用 ecs:DescribeCloudAssistantStatus，立即生效无法使用（绑定、重启和撤销不受影响）`,
    deniedFix: (actions, who) =>
      `如需使用立即生效和 /attach-key import，请在${whose(who)}的策略中允许 ${actions.join('、')}`,
  },
  role: {
    refused: (trn, refused) =>
      `已扮演 ${trn}，但 ECS 拒绝了它的临时凭证（${refused.join('；')}）：该角色缺少权限`,
    refusedFix: (actions) => `为该角色添加允许 ${actions.join('、')} 的策略`,
    rejected: (trn, code) => `已扮演 ${trn}，但 ECS 不接受它的临时凭证（${code}）`,
    rejectedFix: '确认 VOLC_ENDPOINT 和 VOLC_STS_ENDPOINT 属于同一个云，然后带上这一行反馈给维护者',
    works: (trn, session, until, confirmed) =>
      `${trn} 可用：会话 ${session}，临时凭证有效期至 ${until}${confirmed ? '，已被 ECS 接受' : '（ECS 未能确认：见下方）'}`,
    notUsedSandbox: '沙箱模式下不使用',
    notUsed: '未使用（未设置 VOLC_ROLE_TRN）：ECS 调用直接用 VOLC_ACCESS_KEY_ID 签名',
    denied: (head, trn) =>
      `${head} — 基础访问密钥（VOLC_ACCESS_KEY_ID）调用 sts:AssumeRole 被拒绝：该密钥无权扮演 ${trn}`,
    deniedFix: (trn) =>
      `在该访问密钥所属用户的策略中允许对 ${trn} 执行 sts:AssumeRole，并在角色的信任策略中信任该用户`,
    otherFix:
      '检查 VOLC_ROLE_TRN（该角色必须存在于对应账号中）和 VOLC_ROLE_DURATION_SECONDS（不能超过角色的最大会话时长）',
  },
  clock: {
    noAnswer: '没有收到火山引擎 API 的响应，无从比较',
    noDate: '火山引擎 API 的响应没有 Date 头，无从比较',
    within: (seconds, sandbox) => `与${clockOf(sandbox)}相差不超过 ${seconds} 秒`,
    off: (duration, ahead, sandbox, date) =>
      `比${clockOf(sandbox)}${ahead ? '快' : '慢'} ${duration}（Date: ${date}）；偏差这么大的签名会被拒绝（InvalidTimestamp）`,
    offFix: '用 NTP 同步系统时钟（例如 timedatectl set-ntp true，或使用 chrony）',
  },
  failure: {
    roleSignature: (head) => `${head} — ECS 拒绝了用角色临时凭证生成的签名`,
    wrongSecret: (head) => `${head} — Secret Access Key 不正确`,
    wrongSecretFix:
      '将 VOLC_SECRET_ACCESS_KEY 设为与 VOLC_ACCESS_KEY_ID 配对的 Secret Access Key（不要带引号或空格）',
    roleAccessKey: (head) => `${head} — ECS 不认识角色的临时 Access Key`,
    roleAccessKeyFix: '确认 VOLC_ENDPOINT 和 VOLC_STS_ENDPOINT 属于同一个云',
    baseAccessKey: (head) => `${head} — 基础访问密钥的 Access Key ID 错误或已被禁用`,
    baseAccessKeyFix:
      '检查 VOLC_ACCESS_KEY_ID（应为长期密钥：配合 VOLC_ROLE_TRN 时不使用 VOLC_SESSION_TOKEN）',
    accessKey: (head) => `${head} — Access Key ID 错误或已被禁用，或者临时密钥缺少对应的 STS 令牌`,
    accessKeyFix: '检查 VOLC_ACCESS_KEY_ID；使用 STS 临时凭证时还需设置 VOLC_SESSION_TOKEN',
    timestamp: (head) => `${head} — 签名时间被拒绝：本机时钟不准`,
    timestampFix: '用 NTP 同步系统时钟（见“系统时钟”一项）',
    explained: (head, text) => `${head} — ${text}`,
    otherFix: '检查 VOLC_* 配置',
  },
};
