import { USAGE } from '../../domain/parse.js';
import { num } from './zh-words.js';

// 简体中文：`/attach-key help`（mrkdwn）。`regions` 传入时已转义。

const { history, examples, words } = USAGE;

export const zhUsage = (command: string, regions: readonly string[]) =>
  [
    `${command} 用法：`,
    `• ${command} i-aaaa1111 i-bbbb2222 key=名称 — 将密钥对「名称」绑定到这些实例`,
    `• ${command} i-aaaa1111,i-bbbb2222 key-id=kp-xxxx1111 region=cn-shanghai — 按密钥对 ID 绑定，并指定其他地域`,
    `• ${command} tag:env=prod tag:role=web key=名称 — 同时带有这两个标签的所有实例（只写 tag:键 表示任意值）`,
    `• ${command} holding:alice-2024 key=名称 then=restart — 当前绑定密钥对 alice-2024 的实例（也可写 holding:kp-…、holding:none）；then=restart 在同一次审批下绑定后滚动重启，then=apply-now 则无需重启、立即生效（机器人须已知公钥：import）`,
    `• ${command} — 打开表单填写`,
    `• ${command} status 请求ID — 查看一个请求（也可写作 ${command} ${words.status[1]} 请求ID）`,
    `• ${command} history [N] — 列出最近的请求（N 为 1 到 ${num(history.maxLimit)}，默认 ${num(history.defaultLimit)}；也可写作 ${command} ${words.history[1]} [N]）`,
    `• ${command} import 名称 ssh-ed25519 AAAA… [region=地域] — 保存一把公钥（.pub 文件中的那一行；切勿粘贴私钥），名称不存在时导入为新的密钥对，供 *立即生效* 使用（也可写作 ${command} ${words.import[1]}）`,
    `• ${command} help — 显示本帮助（也可写作 ${command} ${words.help[1]}）`,
    `实例 ID 之间可用空格、换行、逗号（, 或 ，）、顿号（、）或全角分号（；）分隔，形如 ${examples.instanceId}。` +
      'ID 和选项请用半角字符输入（＝ 和 ： 也可以）。同时给出 key= 和 key-id= 时，API 以 key-id 为准。' +
      '指定实例时只用实例 ID 或只用选择器（须全部满足），不要混用；卡片会列出提交时匹配到的实例。' +
      `region= 默认为机器人所在的地域；可用地域：${regions.join('、')}。`,
  ].join('\n');

export const zhUsageAccounts = (command: string, names: readonly string[]) =>
  `• ${command} i-aaaa1111 key=名称 account=账号 — 在本机器人服务的某个火山引擎账号中操作：${names.join('、')}。属于某个账号的频道默认使用该账号，且不能使用其他账号。`;
