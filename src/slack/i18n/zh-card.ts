import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：审批卡片（各种操作、各种状态）。传入的参数已是 mrkdwn（代码块、提及、日期），计数是数字。
// Slack's mrkdwn does not reliably render *bold* or _italic_ whose marker touches a Han character,
// so the markers here always have a space or a line edge beside them.

const these = (n: number) => (n === 1 ? '这台实例' : `这 ${num(n)} 台实例`);

export const zhCard: Catalogue['card'] = {
  title: {
    attach: '绑定密钥对',
    restart: (n) => `重启 ${num(n)} 台实例`,
    undo: '撤销密钥对绑定',
    apply: (n) => `在 ${num(n)} 台实例上立即生效密钥（无需重启）`,
  },
  header: (title, label) => `${title}：${label}`,
  sandboxHeader: (text) => `:test_tube: 沙箱 — ${text}`,
  sandboxContext: ':test_tube: 沙箱 — 模拟环境：ECS 调用均为模拟，真实实例不会有任何变化。',
  followUpOf: (kind, id) =>
    kind === 'restart'
      ? `请求 ${id} 的后续重启`
      : kind === 'undo'
        ? `撤销请求 ${id} 的绑定`
        : `请求 ${id} 的立即生效`,
  fields: {
    requestedBy: '申请人',
    keyPair: '密钥对',
    keyPairUndone: '收回的密钥对',
    account: '账号',
    region: '地域',
    instances: '实例数',
    approvals: '审批',
  },
  approvalsOf: (have, need) => `已批准 ${num(have)} / 需 ${num(need)}`,
  keyPair: {
    idWins: (id, name) => `${id}（以 ID 为准，忽略名称 ${name}）`,
    found: (name, id) => `${name} · ${id}`,
    fingerprint: (fp) => `指纹 ${fp}`,
    notChecked: (why) => `_未校验：${why}。第一次调用之前会再次读取，密钥对必须存在。_`,
    none: '_未指定_',
  },
  preview: {
    heading: '*批准后的变化*',
    replaces: (key, n) => `${num(n)} 台实例上原有的 ${key} 将被替换。`,
    alreadyBound: (n) => `${num(n)} 台实例已绑定此密钥对，不会有变化。`,
    noKeyPair: (n) => `${num(n)} 台实例尚未绑定密钥对：绑定后将无法再用密码登录。`,
    bindsAll: (n) => `将密钥对绑定到 ${num(n)} 台实例。`,
    willFail: (list) => `*将会失败：* ${list}。`,
    windows: (ids, _n) => `${ids} 是 Windows 实例（不支持密钥对）`,
    notFound: (ids, _n) => `${ids} 在该地域不存在`,
    wrongStatus: (ids, status, must, _n) => `${ids} 当前状态为 ${status}（须为${must}）`,
    mustBind: '运行中或已停止',
    mustRestart: '运行中',
    unavailable: (why) =>
      `:grey_question: 无法预览：${why}。批准后仍会按申请发送调用；每台实例的结果会发在消息列中。`,
    partlyUnread: (n, why) => `:grey_question: 有 ${num(n)} 台实例未能读取（${why}）。`,
    unrequested: (n) => `API 还列出了 ${num(n)} 台未申请的实例，已忽略。`,
    malformed: (n) => `API 返回中有 ${num(n)} 条记录无法解析，已跳过。`,
    pagingStopped: (pages) => `API 一直在分页，读取 ${num(pages)} 页后已停止。`,
  },
  restartPlan: (n, waves, waveSize, minutes) =>
    `分 ${num(waves)} 批重启 ${num(n)} 台实例，每批最多 ${num(waveSize)} 台，一次一批。每批都等其实例恢复为 RUNNING（最多 ${num(minutes)} 分钟）；某一批出现失败时，滚动重启随即停止。`,
  undoPlan: {
    restores: (key, n) => `为 ${num(n)} 台实例恢复 ${key}。`,
    detaches: (key, n) => `从 ${num(n)} 台原本没有密钥对的实例上解绑 ${key}。`,
    changedSince: (ids, _n) =>
      `${ids} 当前的密钥对已不是本次绑定的那个：在这些实例上撤销很可能会失败。`,
  },
  excluded: {
    previous_key_unknown: (ids, _n) => `不处理：${ids}（绑定前的密钥对未知：预览时未能读取）。`,
    key_changed_since: (ids, _n) =>
      `不处理：${ids}（绑定后密钥对已被更换：撤销会把已被替换掉的密钥对装回去）。`,
    key_unknown_now: (ids, _n) =>
      `不处理：${ids}（现在无法读取其密钥对，无法确认仍是这次绑定的）。`,
    stopped: (ids, _n) => `不重启：${ids}（绑定时处于已停止状态：下次启动时密钥对生效）。`,
    status_unknown: (ids, _n) => `不重启：${ids}（状态未知：如有需要请手动重启）。`,
    not_bound: (ids, _n) => `不重启：${ids}（密钥对未绑定成功：见绑定结果）。`,
    not_verified: (ids, _n) => `不重启：${ids}（未能核实绑定：请检查后手动重启）。`,
    not_running: (ids, _n) => `不处理：${ids}（当前不在运行中）。`,
    no_assistant: (ids, _n) => `不处理：${ids}（云助手未在运行：请改为重启）。`,
  },
  instancesHeading: (n) => `*${num(n)} 台实例*`,
  instanceLine: {
    found: (id, name, status, key) => `${id} ${name} · ${status} · ${key}`,
    noKey: '未绑定密钥对',
    notFound: (id) => `${id} _不存在_`,
    unread: (id) => `${id} _未读取_`,
  },
  more: (n, command) => `… 另有 ${num(n)} 台：用 ${command} 查看全部。`,
  andMore: (n) => ` … 另有 ${num(n)} 台`,
  consequencesHeading: {
    attach: (n) => `*批准后，密钥对将绑定到${these(n)}：*`,
    restart: (n) => `*批准后，将重启${these(n)}：*`,
    undo: (n) => `*批准后，将更改${these(n)}的密钥对：*`,
    apply: (n) => `*批准后，将在${these(n)}上执行上面的脚本：*`,
  },
  consequences: {
    attach: [
      '会覆盖之前在控制台为这些实例绑定的密钥对（在实例内部手动添加的密钥不受影响）。',
      '这些实例将无法再用密码登录。',
      '重启实例后，密钥对方可生效。',
    ],
    restart: [
      '每台实例都会重启（不强制关机：会先通知程序退出），约一两分钟内无法访问。',
      '之前绑定的密钥对在重启后生效。',
    ],
    undo: [
      '每台实例会恢复绑定前的密钥对；绑定前没有密钥对的，会解绑本次绑定的密钥对。',
      '重启实例后方可生效。',
    ],
    apply: [
      '仅当 `~/.ssh/authorized_keys` 中没有完全相同的密钥时才追加这一行；缺少时会创建 `~/.ssh`（700）和该文件（600）；其他行不会改动，再次执行也不会有任何变化。',
      '密钥立即可用：不会重启任何实例，控制台中的绑定关系也不变。',
    ],
  },
  approval: {
    needs: (n) => `需要 *${num(n)} 位* 不同的审批人批准。`,
    rule: (name, reason, approvals, why) =>
      `规则 ${name}（${reason === 'tag' ? '标签匹配' : reason === 'size' ? '实例数量' : reason === 'restarts' ? '会重启实例' : reason === 'account' ? '账号匹配' : (why ?? '无法读取标签：为安全起见已套用')}，需 ${num(approvals)} 人审批）`,
    rules: (list) => `审批策略：${list}。`,
    whoMay: (who) => `可审批的人：${who}`,
    everyList: (lists) => `可审批的人：以下每组各需一人批准 ${lists}`,
    approvedBy: (who, when) => `:white_check_mark: ${who} 于 ${when} 批准`,
  },
  meta: (id, fingerprint, asked, expiresWord, expires) =>
    `请求 ${id} · 指纹 ${fingerprint} · 申请于 ${asked} · ${expiresWord === 'expires' ? `将于 ${expires} 过期` : `有效期至 ${expires}`}`,
  status: {
    expiredLapsed: (when) =>
      `:hourglass: 已于 ${when} 过期：无人及时审批，因此没有任何改动。如仍需要，请重新发起请求。`,
    rejected: (by, when) => `:x: ${by} 已于 ${when} 拒绝。没有任何改动。`,
    approved: (by, when) => `:white_check_mark: ${by} 已于 ${when} 批准。`,
    starting: '即将开始执行…',
    running: (answered, total) =>
      `:gear: 执行中：共 ${num(total)} 个步骤，已完成 ${num(answered)} 个。`,
    wave: (wave, waves) => `:gear: 滚动重启：第 ${num(wave)} / ${num(waves)} 批。`,
    halted: (wave) => `:octagonal_sign: 第 ${num(wave)} 批出现失败，滚动重启已停止。`,
    finished: (icon, when, totals) =>
      `${icon} 已${when ? `于 ${when} ` : ''}完成：${totals}。详情见消息列。`,
    someone: '有人',
  },
  buttons: {
    approve: '批准',
    reject: '拒绝',
    confirmTitle: {
      attach: '绑定密钥对？',
      restart: '重启这些实例？',
      undo: '撤销绑定？',
      apply: '立即执行脚本？',
    },
    confirmText: {
      attach: (n, region) =>
        `将把密钥对绑定到 ${region} 地域的 ${num(n)} 台实例。这会覆盖之前在控制台绑定的密钥对，密码登录将失效，且需重启实例后方可生效。`,
      restart: (n, region) =>
        `将分批重启 ${region} 地域的 ${num(n)} 台实例。重启期间实例无法访问。`,
      undo: (n, region) =>
        `将把 ${region} 地域 ${num(n)} 台实例的密钥对改回绑定前的状态。重启后生效。`,
      apply: (n, region) =>
        `将通过云助手在 ${region} 地域的 ${num(n)} 台实例上执行卡片中的脚本：密钥写入 authorized_keys 后立即可用，不会重启。`,
    },
    cancel: '取消',
  },
  fallback: (what, id, who, label) => `${what} — 请求 ${id}，申请人 ${who}（${label}）。`,
  fallbackWhat: {
    attach: (key, n, region) => `将 ${key} 绑定到 ${region} 地域的 ${num(n)} 台实例`,
    restart: (n, region) => `重启 ${region} 地域的 ${num(n)} 台实例`,
    undo: (n, region) => `撤销 ${region} 地域 ${num(n)} 台实例的密钥对绑定`,
    apply: (n, region) => `在 ${region} 地域的 ${num(n)} 台实例上立即生效密钥`,
  },
};
