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
  item: {
    where: (channel) => `发布于 ${channel}`,
    keyPair: (described) => `密钥对 ${described}`,
    fingerprint: (fp) => `请求指纹 ${fp}`,
    rules: (list) => `匹配的规则：${list}`,
    instancesHeading: (shown, all) =>
      shown < all ? `前 ${num(shown)} 台（共 ${num(all)} 台实例）：` : `共 ${num(all)} 台实例：`,
    openCard: (url) => `<${url}|打开审批卡片>`,
    change: {
      replaces: (key) => `替换 ${key}`,
      firstKey: '尚无密钥对：绑定后密码登录将失效',
      alreadyBound: '已绑定该密钥对：无变化',
      windows: '将失败：Windows 实例',
      notFound: '将失败：未找到',
      wrongStatus: (status) => `将失败：状态为 ${status}`,
      unread: '无法读取',
      restarts: '将重启',
      restores: (key) => `恢复为 ${key}`,
      detaches: (key) => `解绑 ${key}`,
      changedSince: '现在显示的是另一个密钥对',
    },
  },
};
