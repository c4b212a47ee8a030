import type { OperationKind } from '../../domain/request.js';
import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：各种操作的结果消息列，以及卡片上重复的汇总行。*bold* markers always have a space or a
// line edge beside them (Slack does not reliably render them touching a Han character).

const resultName: Record<OperationKind, string> = {
  attach: '绑定结果',
  restart: '重启结果',
  undo: '撤销结果',
  apply: '立即生效结果',
};
const okWord: Record<OperationKind, string> = {
  attach: '成功',
  restart: '已重启',
  undo: '已撤销',
  apply: '已生效',
};

export const zhResults: Catalogue['results'] = {
  title: (kind, id, n) => `*请求 ${id} 的${resultName[kind]}* （共 ${num(n)} 台实例）`,
  totalsLine: (kind, s) => {
    const c = s.counts;
    const parts = [
      `${num(c.ok)} 台${okWord[kind]}`,
      `${num(c.failed)} 台失败`,
      `${num(c.unconfirmed)} 台未确认`,
    ];
    if (c.not_started) parts.push(`${num(c.not_started)} 台未开始`);
    if (c.pending) parts.push(`${num(c.pending)} 台尚无结果`);
    if (s.mismatched) parts.push(`${num(s.mismatched)} 台显示为其他密钥对`);
    return parts.join(' · ');
  },
  counts: (kind, s) => {
    const c = s.counts;
    const parts = [
      `✅ ${num(c.ok)} 台${okWord[kind]}`,
      `❌ ${num(c.failed)} 台失败`,
      `⚠️ ${num(c.unconfirmed)} 台未确认`,
    ];
    if (c.not_started) parts.push(`⏸ ${num(c.not_started)} 台未开始`);
    if (c.pending) parts.push(`⏳ ${num(c.pending)} 台尚无结果`);
    return parts.join(' · ');
  },
  verifiedCounts: (verified, mismatched, unverified) => {
    const parts = [`🔎 ${num(verified)} 台已校验`];
    if (mismatched) parts.push(`🚩 ${num(mismatched)} 台显示为其他密钥对`);
    if (unverified) parts.push(`${num(unverified)} 台未校验`);
    return parts.join(' · ');
  },
  unconfirmedNote:
    '_未确认：这些实例所在的调用整体失败，没有逐台的结果；每行的原因说明了是否可能已有改动。_',
  line: {
    failed: (id, code, explanation) => `❌ ${id} *${code}* — ${explanation}`,
    unconfirmed: (id, code, reason) => `⚠️ ${id} 未确认 *${code}* — ${reason}`,
    notStarted: (id) => `⏸ ${id} 未开始：滚动重启在之前的批次已停止`,
    pending: (id) => `⏳ ${id} 尚无结果`,
    ok: (id) => `✅ ${id} 成功`,
    verified: (id) => `✅ ${id} 成功 · 已校验`,
    mismatch: (id, seen) => `🚩 ${id} 调用成功，但实例显示的是 ${seen}`,
    mismatchNone: (id) => `🚩 ${id} 调用成功，但实例显示没有密钥对`,
    unverified: (id, why) => `✅ ${id} 成功 · 未校验（${why}）`,
    restarted: (id, key) => `✅ ${id} 已重启 · 密钥对 ${key} 已生效`,
    restartedNoKey: (id) => `✅ ${id} 已重启 · 未绑定密钥对`,
    restored: (id, key) => `✅ ${id} 已恢复 ${key}`,
    detached: (id, key) => `✅ ${id} 已解绑 ${key}`,
  },
  notListed: '校验时查询结果中没有这台实例',
  requestIds: (_n) => '*火山引擎 RequestId* （提交工单时使用）',
  requestIdsContinued: '*火山引擎 RequestId（续）*',
  restartReminder: (n, sandbox) =>
    `🔁 *${n === 1 ? '这台实例' : `这 ${num(n)} 台实例`}重启后，密钥对方可生效*${sandbox ? ' （沙箱：模拟环境，并未真正绑定）' : ''}`,
  restartContinued: '🔁 *需重启（续）*',
  nextStart: (_n) => '⏯ *下次启动时生效* （绑定时处于已停止状态；机器人不会重启这些实例）',
  nothingToRestart: ':information_source: 无需重启：没有实例绑定上密钥对。',
  part: (id, k, n) => `请求 ${id} 的结果（第 ${num(k)} / ${num(n)} 部分）`,
  buttons: {
    restart: (n) => `重启 ${num(n)} 台实例…`,
    undo: '撤销…',
    retryFailed: (n) => `为 ${num(n)} 台失败的实例重新申请…`,
    applyNow: (n) => `在 ${num(n)} 台实例上立即生效（无需重启）…`,
  },
  fallback: (id, part, totals, restart) =>
    `请求 ${id} 的结果${part}：${totals}。${restart ? `已绑定密钥对的 ${num(restart)} 台实例需重启后方可生效。` : ''}`,
  partSuffix: (k, n) => `（第 ${num(k)} / ${num(n)} 部分）`,
};
