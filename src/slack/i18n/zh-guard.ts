import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：让审批只执行卡片上展示的内容（issue 19）：请求为何没有执行就结束、申请人的“取消”，
// 以及这些规则的拒绝说明。传入的参数已是 mrkdwn（代码块、提及、日期）。

const modeName = (mode: 'sandbox' | 'live') => (mode === 'sandbox' ? '沙箱' : '正式');
const other = (mode: 'sandbox' | 'live') => (mode === 'sandbox' ? '正式' : '沙箱');

export const zhGuard: Catalogue['guard'] = {
  stopped: {
    other_mode: (mode, command) =>
      `:no_entry_sign: 这个请求是在${modeName(mode)}模式下发起的，而机器人现在运行在${other(mode)}模式：请求已关闭，没有发出任何调用。请用 \`${command}\` 重新发起。`,
    approval_lapsed: (approvedAt, minutes, command) =>
      `:hourglass: 已于 ${approvedAt} 批准，但批准后 ${num(minutes)} 分钟内没有开始执行（REQUEST_TTL_MINUTES；机器人当时停机或繁忙）：请求已过期，没有发出任何调用。请用 \`${command}\` 重新发起。`,
    undo_window_closed: (closedAt) =>
      `:hourglass: 撤销只在 ${closedAt} 之前提供（UNDO_WINDOW_HOURS）；批准时已超过这个时间，因此没有执行，也没有发出任何调用。如需现在更改密钥对，请发起新请求。`,
    key_pair_changed: (approved, now) =>
      `:no_entry: 批准后密钥对发生了变化：没有发出任何调用。批准时：${approved}。现在：${now}。请查明是谁改动的，然后重新发起请求。`,
    key_pair_unreadable: (key, why) =>
      `:no_entry: 第一次调用之前无法再次读取密钥对 ${key}（${why}），因此无法校验：没有发出任何调用。能读取后请重新发起请求。`,
    gone: '已不存在（没有这个 ID 的密钥对）',
    title: (id) => `*请求 ${id} 没有执行*`,
    fallback: (id) => `请求 ${id} 没有执行：没有发出任何调用。`,
    dm: (id, why) => `你的请求 ${id} 没有执行。${why}`,
  },
  key: (name, id, fingerprint) => `${name} · ${id}${fingerprint ? `（指纹 ${fingerprint}）` : ''}`,
  cancelled: (by, when) => `:no_entry_sign: 已由 ${by} 于 ${when} 取消。没有任何改动。`,
  cancel: {
    button: '取消请求',
    confirmTitle: '取消这个请求？',
    confirmText: '取消后将无法再批准，也不会发出任何调用。之后可以重新发起。',
    confirm: '取消请求',
    deny: '保留',
  },
  refusal: {
    other_mode: (mode, command) =>
      `:no_entry_sign: 这个请求是在${modeName(mode)}模式下发起的，而机器人现在运行在${other(mode)}模式；没有发出任何调用。请用 \`${command}\` 重新发起。`,
    cancelled: (by, when) => `:no_entry_sign: 这个请求已由 ${by} 于 ${when} 取消。没有任何改动。`,
    not_requester: (who) => `:no_entry: 只有发起这个请求的 ${who} 可以取消它。没有任何改动。`,
    not_cancellable: (status) =>
      `:information_source: 这个请求已无法取消（当前状态：${status}）：只有待审批的请求可以取消。没有任何改动。`,
    too_many_open: (count, limit, list) =>
      `:no_entry: 你已有 ${num(count)} 个待审批的请求，已达到每人上限（MAX_OPEN_REQUESTS_PER_USER 为 ${num(limit)}）：${list}。请先取消一个，或等它们审批完，再重新发起。没有创建新请求。`,
    no_instances_found: (region, n) =>
      `:no_entry: ${n === 1 ? '这台实例' : `这 ${num(n)} 台实例都`}不存在于 ${region}，因此没有创建请求。请核对实例 ID 和地域（region=），然后重新发起。`,
    approvers_stale: (groups, minutes) =>
      `:no_entry: 无法向 Slack 查询 ${groups} 的成员，而已知的成员信息已超过 ${num(minutes)} 分钟，无法判断你能否审批。没有任何改动。请一分钟后再试。`,
  },
  tagsUnknown: (unread, missing) => {
    const parts: string[] = [];
    if (unread) parts.push(`${num(unread)} 台实例无法读取`);
    if (missing) parts.push(`${num(missing)} 台实例不在返回结果中`);
    return parts.length
      ? `标签未知：${parts.join('，')}；为安全起见仍然适用`
      : '无法读取标签：为安全起见仍然适用';
  },
};
