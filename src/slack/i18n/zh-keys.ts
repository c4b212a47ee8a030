import type { Catalogue } from './en.js';

// 简体中文：`/attach-key import` 的回复，以及误贴私钥时的警告。参数已是 mrkdwn（代码样式）。

const NOTHING = '没有记录任何内容。';

export const zhKeys: Catalogue['keys'] = {
  imported: (name, id, region, fingerprint) =>
    `:key: 已将 ${name}（${id}）导入 ${region} 地域。火山引擎返回的指纹 ${fingerprint} 与你给出的公钥一致。机器人保存了它的公钥，因此绑定结果中可以提供 *立即生效* （无需重启）。`,
  recorded: (name, id, region, fingerprint) =>
    `:key: ${region} 地域已有 ${name}（${id}），指纹同为 ${fingerprint}：已记录它的公钥，*立即生效* 可以使用它。火山引擎中没有任何改动。`,
  auditId: (id) => `（审计编号 ${id}）`,
  refused: {
    fingerprint_mismatch: (name, id, existing, given) =>
      `:no_entry: ${name}（${id}）已存在，但是另一把密钥：它的指纹是 ${existing}，你给出的公钥指纹是 ${given}。${NOTHING}请确认粘贴的是正确的 .pub 文件，或换一个新名称导入。`,
    import_name_invalid: (name) =>
      `:no_entry: 还没有名为 ${name} 的密钥对，而火山引擎不能用这个名称创建：名称长 2–64 个字符，由字母、数字和 "-" 组成，各段之间用点分隔。${NOTHING}`,
    import_call_failed: (action, code, why) =>
      `:x: ${action} 调用失败 *${code}* — ${why}。${NOTHING}`,
    import_fingerprint_differs: (name, id, api, ours) =>
      `:warning: 火山引擎已导入 ${name}（${id}），但返回的指纹是 ${api}，而你给出的公钥指纹是 ${ours}。${NOTHING}使用前请先在控制台检查该密钥对。`,
  },
  privateKey: [
    ':rotating_light: *这是一把私钥。切勿把私钥粘贴到 Slack。*',
    '机器人已拒绝：没有保存、记录日志、回显或发送到任何地方。但它现在已经在 Slack 中（斜杠命令的文本可能保留在 Slack 的日志和导出中），请按已泄露处理：',
    '1. 在你自己的电脑上生成新的密钥对：`ssh-keygen -t ed25519`。',
    '2. 只导入 *公钥* ，即 `.pub` 文件中的那一行：`/attach-key import 名称 ssh-ed25519 AAAA…`。',
    '3. 在原来使用旧密钥的地方绑定新密钥对，并从所有 `authorized_keys` 中删除旧公钥。',
  ].join('\n'),
};
