import { explainFrom } from '../../domain/outcome.js';
import type { Catalogue } from './en.js';
import { zhAccess } from './zh-access.js';
import { zhApply } from './zh-apply.js';
import { zhCard } from './zh-card.js';
import { zhFleet } from './zh-fleet.js';
import { zhGuard } from './zh-guard.js';
import { zhHome } from './zh-home.js';
import { zhKeys } from './zh-keys.js';
import { zhMessages } from './zh-messages.js';
import { zhModal } from './zh-modal.js';
import { zhOutcome } from './zh-outcome.js';
import { zhParse } from './zh-parse.js';
import { zhResults } from './zh-results.js';
import { zhSandbox } from './zh-sandbox.js';
import { zhUsage, zhUsageAccounts } from './zh-usage.js';
import { num, plural } from './zh-words.js';

// 简体中文目录。Typed as Catalogue: a key missing here is a compile error, and the completeness
// test checks the other direction, the arities and that every text really is Chinese.
// 术语按火山引擎控制台：实例、密钥对、地域、重启、审批 / 审批人、绑定 / 解绑、指纹、请求。

export const zh: Catalogue = {
  locale: 'zh-CN',
  num,
  plural,
  status: {
    pending: '待审批',
    approved: '已批准',
    rejected: '已拒绝',
    expired: '已过期',
    executing: '执行中',
    done: '已完成',
    failed: '完成但有错误',
    cancelled: '已取消',
    voided: '已作废（另一模式）',
  },
  kind: { attach: '绑定', restart: '重启', undo: '撤销', apply: '立即生效' },
  explain: (code, apiMessage, call) => explainFrom(zhOutcome, code, apiMessage, call),
  outcome: zhOutcome,
  // Slack's date token takes English placeholders; Slack fills them in the reader's language.
  date: { format: '{date_short_pretty} {time}' },
  sandboxNote: ':test_tube: 沙箱 — 模拟环境，不会有任何真实改动',
  join: { list: '、', clauses: '；', sentences: '。' },
  card: zhCard,
  fleet: zhFleet,
  guard: zhGuard,
  results: zhResults,
  apply: zhApply,
  keys: zhKeys,
  messages: zhMessages,
  home: zhHome,
  modal: zhModal,
  parse: zhParse,
  usage: zhUsage,
  usageAccounts: zhUsageAccounts,
  sandbox: zhSandbox,
  access: zhAccess,
};
