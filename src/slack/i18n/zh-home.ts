import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：App 主页（App Home）标签页。

export const zhHome: Catalogue['home'] = {
  title: 'attach-key-bot',
  intro: (command) =>
    `为火山引擎 ECS 实例绑定 SSH 密钥对的请求，以及之后的重启和撤销。在频道中输入 \`${command}\` 发起。`,
  waitingHeading: (n) => `待你审批（${num(n)}）`,
  waitingNone: '没有等待你审批的请求。',
  mineHeading: '你发起的请求',
  mineNone: '你还没有发起过请求。',
  waitingLine: (id, kind, who, what, have, need, expires) =>
    `*${id}* ${kind}${who}：${what}\n已批准 ${num(have)} / 需 ${num(need)} · 将于 ${expires} 过期`,
  mineLine: (id, kind, what, label, when) => `• ${id} ${kind}${what} — *${label}* · 发起于 ${when}`,
  from: (who) => `${who} 申请`,
  moreWaiting: (n) => `… 另有 ${num(n)} 个待审批的请求，请到各自的频道查看。`,
  updated: (when) => `更新于 ${when}`,
};
