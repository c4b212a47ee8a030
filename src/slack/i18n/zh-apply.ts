import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：「立即生效」——卡片（执行什么、以哪个用户、在哪些实例上，以及哪些实例被跳过）和结果消息列。
// 传入的参数已是 mrkdwn（代码样式）。

type Apply = Catalogue['apply'];

const leftOut: Apply['results']['line']['leftOut'] = {
  no_assistant: (id, status) => `⏭ ${id} 已跳过：云助手未在运行（${status}）；请改为重启`,
  not_running: (id, status) => `⏭ ${id} 已跳过：实例处于 ${status}，不在运行中`,
  not_bound: (id) => `⏭ ${id} 已跳过：密钥对没有绑定到这台实例`,
  not_verified: (id) => `⏭ ${id} 已跳过：无法核实绑定；请检查后手动重启`,
  stopped: (id) => `⏭ ${id} 已跳过：绑定时处于已停止状态，密钥将在下次启动时生效`,
  status_unknown: (id) => `⏭ ${id} 已跳过：状态未知`,
  check_failed: (id, why) => `⏭ ${id} 已跳过：无法检查（${why}）`,
};

export const zhApply: Apply = {
  runsAs: '执行用户',
  plan: {
    writes: (key, fingerprint, user, n, calls) =>
      `通过云助手（${num(calls)} 次 RunCommand 调用）把 ${key} 的公钥（指纹 ${fingerprint}）写入 ${num(n)} 台实例上用户 ${user} 的 \`~/.ssh/authorized_keys\`。密钥立即可用于 SSH 登录，不会重启。`,
    removes: (key, fingerprint, n) =>
      `在其中 ${num(n)} 台实例上还会删除 ${key}（指纹 ${fingerprint}）那一行，即本次绑定替换掉的密钥对：轮换后只保留一把密钥。`,
    keeps: (key, n) =>
      `在 ${num(n)} 台实例上，被替换的 ${key} 那一行会保留：机器人不知道它的公钥（先导入它才能删除）。`,
  },
  excluded: {
    not_running: (ids, status) => `不处理：${ids}（${status}：实例必须处于运行中）。`,
    no_assistant: (ids, status) => `不处理：${ids}（云助手未在运行：${status}）。请改为重启。`,
    stopped: (ids, _n) => `不处理：${ids}（绑定时处于已停止状态：密钥将在下次启动时生效）。`,
    status_unknown: (ids, _n) => `不处理：${ids}（状态未知：如有需要请手动重启）。`,
    not_bound: (ids, _n) => `不处理：${ids}（密钥对没有绑定成功：见绑定结果）。`,
    not_verified: (ids, _n) => `不处理：${ids}（无法核实绑定：请检查后手动重启）。`,
  },
  agentAbsent: '未安装',
  script: {
    heading: (user, seconds) =>
      `*脚本* 由云助手以用户 ${user} 执行（bash，超时 ${num(seconds)} 秒）。脚本中插入的只有密钥这几行：`,
    variants: (n) =>
      `这 ${num(n)} 组实例的脚本只有 OLD_TYPE 和 OLD_BLOB 不同（要删除的被替换密钥）；这里显示第一组。`,
    continued: '*脚本（续）：*',
  },
  results: {
    title: (id, n) => `*请求 ${id} 的立即生效结果* （共 ${num(n)} 台实例）`,
    counts: (c) => {
      const parts = [
        `⚡ ${num(c.in_effect)} 台已生效`,
        `❌ ${num(c.failed)} 台失败`,
        `⏱ ${num(c.timed_out)} 台超时`,
        `⏭ ${num(c.left_out)} 台已跳过`,
      ];
      if (c.unconfirmed) parts.push(`⚠️ ${num(c.unconfirmed)} 台未确认`);
      if (c.pending) parts.push(`⏳ ${num(c.pending)} 台尚无结果`);
      return parts.join(' · ');
    },
    totalsLine: (c) => {
      const parts = [
        `${num(c.in_effect)} 台已生效`,
        `${num(c.failed)} 台失败`,
        `${num(c.timed_out)} 台超时`,
        `${num(c.left_out)} 台已跳过`,
      ];
      if (c.unconfirmed) parts.push(`${num(c.unconfirmed)} 台未确认`);
      if (c.pending) parts.push(`${num(c.pending)} 台尚无结果`);
      return parts.join(' · ');
    },
    line: {
      added: (id, removed) =>
        `⚡ ${id} 已生效：已添加密钥${removed ? '，并删除了被替换密钥那一行' : ''}`,
      present: (id, removed) =>
        `⚡ ${id} 已生效：密钥原本就在${removed ? '，并删除了被替换密钥那一行' : ''}`,
      inEffect: (id) => `⚡ ${id} 已生效`,
      exited: (id, exitCode, output) =>
        `❌ ${id} 失败：脚本以退出码 ${exitCode} 结束${output ? `：${output}` : ''}`,
      failed: (id, code, why) => `❌ ${id} 失败 *${code}* — ${why}`,
      timedOut: (id, seconds) => `⏱ ${id} 超时：脚本未在 ${num(seconds)} 秒内执行完`,
      noResult: (id, status) =>
        `⏱ ${id} 未及时得到结果（最后状态 ${status}）：请检查实例，命令可能仍在执行`,
      leftOut,
      unconfirmed: (id, code, why) => `⚠️ ${id} 未确认 *${code}* — ${why}`,
      pending: (id) => `⏳ ${id} 尚无结果`,
    },
    restartReminder: (n) =>
      `🔁 *请重启${n === 1 ? '这台实例' : `这 ${num(n)} 台实例`}，让密钥在这些实例上生效* ：`,
    restartContinued: '🔁 *重启（续）：*',
    fallback: (id, part, totals) => `请求 ${id} 的立即生效结果${part}：${totals}。`,
  },
};
