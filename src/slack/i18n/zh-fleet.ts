import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：按标签或密钥对选择实例（issue 21）：卡片、status、history 上的选择器，以及选择被拒绝的原因。

const NOTHING = '因此没有提交请求';
const NARROW = '请缩小范围：再加一个 tag: 选择器（例如 `tag:role=web`），或按其他标签拆分。';

export const zhFleet: Catalogue['fleet'] = {
  selectedBy: (selectors, n, readAt) =>
    `按 ${selectors} 选择 · ${num(n)} 台实例（读取于 ${readAt}）。审批的就是这些实例：之后才匹配的实例不属于本请求。`,
  statusSelectedBy: (selectors, readAt) => `按 ${selectors} 选择（读取于 ${readAt}）`,
  historyWhat: (key, n, selectors, region) =>
    `${key} → ${region} 中按 ${selectors} 选择的 ${num(n)} 台实例`,
  rotation: {
    title: '绑定密钥对并重启',
    plan: (key, n, running, waveSize) =>
      `将 ${key} 绑定到 ${num(n)} 台实例，然后按每批 ${num(waveSize)} 台重启其中 ${num(running)} 台运行中的实例：仅限绑定时运行中且绑定已核实的实例。一次审批涵盖两步。`,
    planned: (n, waves, waveSize) =>
      `重启阶段：${num(n)} 台实例，分 ${num(waves)} 批，每批最多 ${num(waveSize)} 台；某一批出错即停止后续批次。`,
    nothingPlanned: '重启阶段：没有需要重启的实例（没有实例在运行中完成绑定且绑定已核实）。',
    consequencesHeading: '*随后，在同一次审批下：*',
    confirmTitle: '绑定并重启？',
    confirmText: (n, running, waveSize, region) =>
      `将把密钥对绑定到 ${region} 的 ${num(n)} 台实例，然后按每批 ${num(waveSize)} 台重启其中 ${num(running)} 台运行中且已核实的实例。它会替换之前绑定的密钥对，密码登录将失效，实例重启期间无法访问。`,
    fallback: (what) => `${what}，然后重启`,
    totals: (attach, restart) => `${attach}；重启：${restart}`,
    restarting: (n, waveSize) =>
      `:arrows_counterclockwise: 正在同一次审批下按每批 ${num(waveSize)} 台重启 ${num(n)} 台实例：卡片显示当前批次，重启结果将在下方发布。`,
    nothingToRestart: ':information_source: 无需重启：没有实例在运行中完成绑定且绑定已核实。',
    restartTitle: (id, n) => `*请求 ${id} 的重启结果*（${num(n)} 台实例，绑定之后）`,
  },
  applyNext: {
    title: '绑定密钥对并立即生效',
    plan: (key, n) =>
      `将 ${key} 绑定到 ${num(n)} 台实例，然后在绑定已核实、云助手正在运行的实例上让它立即生效，无需重启。一次审批涵盖两步。`,
    forecast: '如果所有运行中的实例都绑定成功并核实，立即生效阶段为：',
    nothingPlanned: '立即生效阶段：没有需要处理的实例（没有实例完成绑定且绑定已核实）。',
    confirmTitle: '绑定并立即生效？',
    confirmText: (n, user, region) =>
      `将把密钥对绑定到 ${region} 的 ${num(n)} 台实例，然后通过云助手把它的公钥写入已绑定并核实的实例上用户 ${user} 的 ~/.ssh/authorized_keys。它会替换之前绑定的密钥对，密码登录将失效。`,
    fallback: (what) => `${what}，然后立即生效`,
    totals: (attach, apply) => `${attach}；立即生效：${apply}`,
    applying: (n) =>
      `:zap: 正在同一次审批下通过云助手让密钥在 ${num(n)} 台实例上立即生效：立即生效的结果将在下方发布。`,
    nothingToApply: ':information_source: 无需立即生效：没有实例完成绑定且绑定已核实。',
    resultsTitle: (id, n) => `*请求 ${id} 的立即生效结果*（${num(n)} 台实例，绑定之后）`,
  },
  form: {
    selector: {
      label: '或按标签或密钥对选择实例',
      placeholder: 'env=prod role=web   或   holding:alice-2024',
      hint: '标签写作 键=值（只写键表示任意值），或 holding:名称、holding:kp-…、holding:none；须全部满足。用于代替选择或粘贴实例：卡片会列出匹配到的实例。',
    },
    next: {
      label: '绑定密钥对之后',
      restart: '随后重启这些实例（分批滚动）',
      restartDescription: '同一次审批；仅重启已核实绑定且运行中的实例；某批出错即停止',
      applyNow: '随后立即生效（云助手，无需重启）',
      applyNowDescription: '同一次审批；机器人须已知该密钥的公钥（先导入）',
      both: '请只选一项：滚动重启，或立即生效（立即生效无需重启）。',
    },
  },
  refusal: {
    selection_empty: (selectors, region) =>
      `:no_entry: ${region} 中没有实例匹配 ${selectors}，${NOTHING}。标签的键、值和密钥对名称须完全一致（区分大小写）；请检查它们和地域。`,
    selection_too_many: (selectors, region, count, complete, total, limit) =>
      `:no_entry: ${selectors} 在 ${region} 中选中了${complete ? ` ${num(count)} ` : `超过 ${num(limit)} `}台实例${total !== undefined ? `（API 统计为 ${num(total)} 台）` : ''}；一个请求最多 ${num(limit)} 台（MAX_INSTANCES_PER_REQUEST），${NOTHING}。${NARROW}`,
    selection_capped: (selectors, region, total, cap) =>
      `:no_entry: ${selectors} 在 ${region} 中匹配${total !== undefined ? ` ${num(total)} ` : `至少 ${num(cap)} `}台实例，而火山引擎按标签查询最多只列出 ${num(cap)} 台：机器人无法看到全部实例，${NOTHING}。${NARROW}`,
    selection_unbounded: (selectors, listed, pages) =>
      `:no_entry: ${selectors}：火山引擎列出 ${num(listed)} 台实例（${num(pages)} 页）后仍在分页，无法完整读取选择结果，${NOTHING}。${NARROW}`,
    selection_failed: (selectors, region, why) =>
      `:warning: 无法在 ${region} 中解析 ${selectors}：${why}。选择器需要读取云上数据才能解析，${NOTHING}。请重试，或直接写实例 ID。`,
  },
};
