import type { OperationKind } from '../../domain/request.js';
import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：拒绝说明、status 与 history、给申请人的私信和提醒。

const NOTHING = '没有任何改动。';

/** 你的请求 / 你的重启请求 / 你的撤销请求 */
const FOLLOW_UP: Record<OperationKind, string> = {
  attach: '绑定',
  restart: '重启',
  undo: '撤销',
  apply: '立即生效',
};

const yourRequest = (kind: OperationKind) =>
  `你的${kind === 'attach' ? '' : (FOLLOW_UP[kind] ?? '')}请求`;

/** 已由 @x 于 <date> 批准; `by` and `when` may be empty. */
const done = (verb: string, by: string, when: string) =>
  `已${by}${when ? `于${when} ` : ''}${verb}`;

export const zhMessages: Catalogue['messages'] = {
  refusal: {
    not_approver: `:no_entry: 你不在此请求的审批人之列（APPROVER_USER_IDS，或其审批策略规则指定的审批人）。${NOTHING}`,
    self_approval: `:no_entry: 这是你自己发起的请求，需要由其他人审批（已关闭自我审批）。${NOTHING}`,
    already_approved_by_you: (have, need) =>
      `:information_source: 你已经批准过此请求（已批准 ${num(have)} / 需 ${num(need)}），现在需要其他人审批。`,
    already_decided: {
      expired: (when, command) =>
        `:hourglass: 此请求已于 ${when} 过期。${NOTHING}如仍需要，请用 \`${command}\` 重新发起。`,
      rejected: (by, when) => `:information_source: 此请求已${by}于 ${when} 拒绝。${NOTHING}`,
      approved: (by, when, progress) =>
        `:information_source: 此请求已${by}于 ${when} 批准。${progress}`,
      by: (who) => `由 ${who} `,
      progress: {
        approved: '即将开始执行。',
        executing: '正在执行。',
        done: '已执行完毕，结果见消息列。',
        failed: '已执行完毕但有错误，结果见消息列。',
      } as Partial<Record<string, string>>,
    },
    expired: (when, command) =>
      `:hourglass: 此请求已于 ${when} 过期。${NOTHING}如仍需要，请用 \`${command}\` 重新发起。`,
    unknown_request: (what, command) =>
      `:grey_question: 找不到${what}：可能已归档或输入有误。\`${command} history\` 可列出最近的请求。`,
    that_request: '该请求',
    request: (id) => `请求 ${id}`,
    shutting_down: ':construction: 机器人正在重启，暂不接受请求和审批。请一分钟后再试。',
    storage_unavailable: `:warning: 存储不可用：机器人暂时连不上数据库。${NOTHING}请一分钟后再试。`,
    approvers_unresolved: (groups) =>
      `:no_entry: 无法向 Slack 查询 ${groups} 的成员，目前也不知道其中有谁，因此无法判断你能否审批。${NOTHING}请一分钟后再试。`,
    channel_not_allowed: (where) =>
      `:no_entry: 此频道不允许发起密钥对请求。请在允许的频道中发起${where}。`,
    allowedChannels: (list) => `：${list}`,
    allowedChannelsUnknown: '（见 ALLOWED_CHANNEL_IDS）',
    requester_not_allowed:
      ':no_entry: 你不在可发起密钥对请求的名单中（REQUESTER_USER_IDS）。请联系管理员把你加进来，或请名单中的人代为发起。',
    too_many_instances: (count, limit) =>
      `:no_entry: ${count === undefined ? '实例数量过多' : `共 ${num(count)} 台实例`}，单个请求最多 ${num(limit)} 台（MAX_INSTANCES_PER_REQUEST）。请拆成多个请求。`,
    bot_not_in_channel: (me) =>
      `:wave: 我不在此频道中，无法发布审批卡片。请邀请${me}：在此频道输入 \`/invite @&lt;机器人名称&gt;\`，然后重新发起。${NOTHING}`,
    me: (mention) => `我（${mention}）`,
    meAlone: '我',
    post_failed: (said) =>
      `:warning: 无法发布审批卡片${said}，因此没有发起任何请求。请一分钟后再试。`,
    slackSaid: (code) => `（Slack 返回 ${code}）`,
    unknown_key_pair: (key, region, suggestions) =>
      `:no_entry: ${region} 地域中没有密钥对 ${key}，因此没有发起请求。${suggestions}请核对名称（或 kp- ID）和地域后重新发起。`,
    didYouMean: (list) => `是否要找 ${list}？`,
    already_requested: (kind, id, status) =>
      `:information_source: 此请求的${FOLLOW_UP[kind]}已有人申请过：请求 ${id}（${status}）。没有新建请求。`,
    not_finished: ':hourglass: 此请求尚未执行完毕；结果发布后才能进行后续操作。',
    nothing_to_do: (kind) =>
      kind === 'restart'
        ? ':information_source: 无需重启：此请求中没有既已绑定又处于 RUNNING 状态的实例。'
        : kind === 'undo'
          ? ':information_source: 无需撤销：此请求绑定的实例中，没有一台既知道原密钥对、又仍然绑定着这次的密钥对。'
          : ':information_source: 无法立即生效：此请求中没有既已绑定、处于 RUNNING 状态、又有云助手在运行的实例。请改为重启。',
    undo_window_closed: (when) =>
      `:hourglass: 撤销的期限是 ${when}（UNDO_WINDOW_HOURS）。${NOTHING}如需更改密钥对，请发起新的请求。`,
    undo_not_offered: ':information_source: 只有绑定密钥对的请求可以撤销。',
    apply_not_offered:
      ':information_source: 只有绑定密钥对的请求可以立即生效（重启或撤销请求不行）。',
    public_key_unknown: (key, region, command, asThen) =>
      `:key: 机器人不知道 ${region} 地域密钥对 ${key} 的公钥，无法让它立即生效。${NOTHING}请先导入：\`${command} import 名称 ssh-ed25519 AAAA…\`（.pub 文件中的那一行），然后${asThen ? '重新发送请求；或改用 then=restart' : '再点一次；或改为重启'}。`,
    public_key_mismatch: (key, known, bound, asThen) =>
      `:no_entry: 机器人保存的 ${key} 公钥（指纹 ${known}）与火山引擎显示的（${bound}）不一致。${NOTHING}请重新导入正确的公钥，然后${asThen ? '重新发送请求' : '再点一次'}。`,
  },
  unexpected:
    ':x: 机器人遇到意外错误，未能完成此操作。错误已记入日志；`/attach-key history` 可查看已记录的内容。',
  modalFailed: (code, usage) => `无法打开表单（${code}）。请改为在一行中输入请求：\n${usage}`,
  notesAccepted: (n, lines) =>
    `:information_source: 请求已受理，${n === 1 ? '附注一条' : `附注 ${num(n)} 条`}：\n${lines}`,
  status: {
    heading: (kind, id, label, archived) =>
      `*${kind === 'attach' ? '' : (FOLLOW_UP[kind] ?? '')}请求 ${id}* — ${label}${archived ? '（已归档）' : ''}`,
    asked: (who, when, where) => `${who} 于 ${when} 在 ${where} 发起`,
    what: (key, region, n) => `密钥对 ${key} · 地域 ${region} · ${num(n)} 台实例`,
    whatRestart: (region, n) => `地域 ${region} · ${num(n)} 台实例`,
    parent: (id) => `请求 ${id} 的后续操作`,
    fingerprint: (fp) => `指纹 ${fp}`,
    approvals: (have, need) => `审批：已批准 ${num(have)} / 需 ${num(need)}`,
    approved: (by, when) => done('批准', by, when),
    rejected: (by, when) => done('拒绝', by, when),
    expired: (when) => done('过期', '', when),
    waiting: (until) => `等待审批，截止 ${until}`,
    by: (who) => `由 ${who} `,
    running: (answered, total) => `执行中：共 ${num(total)} 个步骤，已完成 ${num(answered)} 个`,
    errors: (list, more) => `错误：${list}${more ? '，…' : ''}`,
    finished: (when) => `完成于 ${when}`,
    instances: '*实例*',
    continued: (id, k, n) => `请求 ${id} 的实例（第 ${num(k)} / ${num(n)} 部分）`,
  },
  history: {
    empty: (command) => `:open_file_folder: 还没有任何请求。\`${command} help\` 介绍如何发起。`,
    title: (n) => `*最近的 ${num(n)} 个请求*`,
    more: (n) => `… 另有 ${num(n)} 个未显示。`,
    fallback: (n) => `最近的请求：${num(n)} 个。`,
    kind: {
      attach: '',
      restart: '重启 · ',
      undo: '撤销 · ',
      apply: '立即生效 · ',
    } as Record<OperationKind, string>,
    line: (id, when, who, what, label, decision, totals) =>
      `• ${id} ${when} ${who}：${what} — *${label}*${decision ? ` · ${decision}` : ''}${totals}`,
    what: (key, n, region) => `${key} → ${region} 地域的 ${num(n)} 台实例`,
    whatRestart: (n, region) => `${region} 地域的 ${num(n)} 台实例`,
    totals: (ok, failed, unconfirmed) =>
      ` · ✅ ${num(ok)} 成功 ❌ ${num(failed)} 失败 ⚠️ ${num(unconfirmed)} 未确认`,
    sandbox: ' · 沙箱',
  },
  dm: {
    approved: (kind, id, by) =>
      `:white_check_mark: ${yourRequest(kind)} ${id} 已由 ${by} 批准，正在执行；结果发布后我会通知你。`,
    rejected: (kind, id, by) => `:x: ${yourRequest(kind)} ${id} 已被 ${by} 拒绝。没有任何改动。`,
    expired: (kind, id, command) =>
      `:hourglass: ${yourRequest(kind)} ${id} 在获批前已过期，没有任何改动。如仍需要，请重新运行 \`${command}\`。`,
    results: (kind, id, totals, link) =>
      `:clipboard: ${yourRequest(kind)} ${id} 的结果已发布：${totals}。${link}`,
    link: (url) => `<${url}|打开消息列>`,
    noLink: '结果在审批卡片下方的消息列中。',
  },
  reminder: (id, who, have, need, expires) =>
    `:bell: 仍在等待审批：请求 ${id} 已批准 ${num(have)} / 需 ${num(need)}，将于 ${expires} 过期。${who}`,
  reminderNobody: '（没有可提醒的审批人）',
};
