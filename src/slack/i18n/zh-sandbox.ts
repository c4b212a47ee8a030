import type { Catalogue } from './en.js';

// 简体中文：沙箱模式下 `/attach-key help` 末尾的沙箱说明。纯文本（由渲染器转义）；实例、关键词和错误码
// 来自 src/sandbox/fleet.ts，用代码样式显示。

const c = (text: string | number) => `\`${text}\``;
const list = (items: readonly string[]) => items.map(c).join('、');

export const zhSandbox: Catalogue['sandbox'] = {
  intro: `沙箱模式（${c('VOLC_SANDBOX=true')}）：ECS 调用全部为模拟，不会真正绑定任何密钥对。`,
  fleet: (regions) => `模拟实例：${regions.join('；')}。`,
  fleetIn: (region, names) => `${c(region)} 地域有 ${list(names)}`,
  fleetNotes: (legacyKeyPair, stopped) =>
    `其中部分实例已绑定 ${c(legacyKeyPair)}；${list(stopped)} 处于已停止（${c('STOPPED')}）状态。`,
  wordsHeading:
    '其他任何实例 ID 在首次提到时即存在，其行为由 ID 中的关键词决定（按顺序匹配第一个）：',
  word: (word, effect) => `  含 ${c(word)} → ${effect}`,
  effect: {
    absent: (e) => `实例不存在：${c(e.code)}`,
    windows: (e) => `Windows 实例：${c(e.code)}`,
    no_agent: (e) => `未安装密码插件：${c(e.code)}`,
    not_ready: (e) => `${c(e.status)} 状态，每次变更都返回 ${c(e.code)}`,
    stopped: (e) =>
      `${c(e.status)} 状态：可以绑定，但重启（${c('RebootInstances')}）返回 ${c(e.code)}`,
    throttled: (e) => `每次变更都返回 ${c(e.code)}`,
    no_assistant: (e) => `没有云助手客户端：立即生效时会跳过它，${c(e.code)}（请改为重启）`,
    script_fails: (e) => `立即生效的脚本在该实例上失败：${c(e.code)}，退出码 ${e.exitCode}`,
  },
  otherwise: (example) => `  其他（例如 ${c(example)}）→ 运行中的 Linux 实例，绑定成功`,
  restart: `重启（${c('RebootInstances')}）后实例会保持 ${c('REBOOTING')} 几秒，然后恢复为 ${c('RUNNING')}。`,
  keyPairsHeading: `密钥对（同时给出 ID 和名称时以 ${c('KeyPairId')} 为准）：`,
  keyPairMissing: (word, code) => `  任何名称都可以，但名称包含 ${c(word)} 时返回 ${c(code)}`,
  keyPairId: (prefix, word) => `  密钥对 ID 必须以 ${c(prefix)} 开头，且不能包含 ${c(word)}`,
  keyPairFlaky: (word, status, code) =>
    `  含 ${c(word)} → 首次调用返回 ${status} ${c(code)}，重试后成功`,
  keyPairSlow: (word, seconds) => `  含 ${c(word)} → 每次绑定或解绑多耗时 ${seconds} 秒`,
  keyPairImportable: (word) =>
    `  含 ${c(word)} → 导入前不存在（${c('/attach-key import 名称 ssh-ed25519 AAAA…')}）；立即生效需要机器人导入或记录过的公钥`,
  listed: (keyPairs) => `可用的密钥对：${keyPairs.join('、')}`,
  keyPair: (name, id) => `${c(name)}（${c(id)}）`,
};
