import type { Catalogue } from './en.js';

// 简体中文：谁可以使用机器人、在哪里使用（issue 18）：其他工作区成员的拒绝说明、快捷方式为无权申请者
// 打开的简短视图，以及表单对频道的检查。

export const zhAccess: Catalogue['access'] = {
  external: {
    requester:
      ':no_entry: 你来自本机器人所安装的工作区之外的工作区。其他工作区的成员只有在 REQUESTER_USER_IDS 中按 ID 列出时才能申请密钥对。没有任何改动。',
    approver:
      ':no_entry: 你来自本机器人所安装的工作区之外的工作区。其他工作区的成员只有在审批人名单按 ID 列出时才能审批（APPROVER_USER_IDS，或策略规则指定的审批人）；用户组不算。没有任何改动。',
  },
  refusedView: {
    title: '绑定密钥对',
    close: '关闭',
  },
  channel: {
    placeholder: '选择一个允许的频道',
    notAChannel: '请选择一个频道（公开或私有）。私信或某个人无法承载审批卡片。',
    inviteFirst: (me) =>
      `我还不在该频道中。请先在那里邀请${me}（/invite），然后重新提交表单。没有保存任何内容。`,
    me: (name) => `我（${name}）`,
    meAlone: '我',
  },
};
