import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：申请表单（/attach-key、全局快捷方式和"为失败的实例重新申请"打开），以及选择器在输入时给出的
// 选项。选项文字是纯文本，含取值在内最多 75 个字符：尽量简短。

export const zhModal: Catalogue['modal'] = {
  title: '绑定密钥对',
  titleSandbox: '绑定密钥对（沙箱）',
  submit: '提交审批',
  close: '取消',
  sandbox: ':test_tube: *沙箱* — 模拟的 ECS：真实实例不会有任何改动。',
  intro:
    '审批人批准之前不会有任何改动。绑定密钥对会替换此前在控制台绑定的密钥对，并关闭密码登录；实例重启后才生效。',
  retryIntro: (n, requestId) =>
    `为请求 ${requestId} 中未绑定成功的 ${num(n)} 台实例重新申请。这是一个新请求，需要重新审批。`,
  retryCut: (n) => `另有 ${num(n)} 台实例放不进表单，请用命令申请。`,
  channel: {
    label: '请求发布到',
    hint: '审批卡片会发到这个频道；机器人须是该频道的成员。',
  },
  account: {
    label: '火山引擎账号',
    placeholder: '选择账号',
    hint: '切换账号会清空已选的实例和密钥对。',
  },
  region: {
    label: '地域',
    placeholder: '选择地域',
    hint: '切换地域会清空已选的实例和密钥对。',
  },
  instances: {
    label: '实例',
    placeholder: '按名称或以 i- 开头的实例 ID 搜索',
    hint: '⛔ 表示该实例现在无法绑定密钥对：Windows 实例，或状态不是运行中或已停止。',
  },
  instanceIds: {
    label: '或粘贴实例 ID',
    hint: '用空格、逗号或换行分隔，会与上面选择的实例合并。',
    placeholder: 'i-abc123def456\ni-0123456789ab\n（每行一个）',
  },
  keyPair: {
    label: '密钥对',
    placeholder: '按名称搜索密钥对',
  },
  errors: {
    regionChanged: (picked, region) =>
      `这是在 ${picked} 中选择的，但地域现在是 ${region}：请重新选择。`,
    noChannel: '请选择发布审批卡片的频道。',
  },
  option: {
    keyPair: (name) => `密钥对 ${name}`,
    noKeyPair: '无密钥对',
    fingerprint: (short) => `指纹 ${short}`,
  },
  hint: {
    slow: '⏳ ECS 响应较慢：先显示已知结果，请稍后再输入',
    refused: (code) => `⚠️ ECS 拒绝了查询（${code}）`,
    busy: '⏳ 查询较多：请稍后再输入',
    listing: (listed) => `⏳ 正在列出该地域的实例：已读到 ${num(listed)} 台`,
    truncated: (listed) => `按 ID 前缀只搜索前 ${num(listed)} 台实例`,
    more: (shown) => `仅显示前 ${num(shown)} 个匹配项：请输入更多内容缩小范围`,
  },
  retryUnknown: (requestId) =>
    `:information_source: 请求 ${requestId} 已不在存储中；请输入 /attach-key 重新申请。`,
  retryNothing: ':information_source: 该请求的所有实例都已绑定成功。',
};
