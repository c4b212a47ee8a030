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
