import type { DoctorTexts } from './en.js';

// doctor 关于 Slack 的简体中文：Bot 令牌（auth.test）和应用级令牌（apps.connections.open）。
// Slack 后台的页面和字段名（OAuth & Permissions 等）保持英文，与 Slack 界面一致。

export const zhDoctorSlack: DoctorTexts['slack'] = {
  botOk: (user, userId, team, teamId) => `@${user}（${userId}），所在工作区 ${team}（${teamId}）`,
  scopesMissing: (who, missing) => `${who}，但令牌缺少 ${missing.join('、')}`,
  scopesFix:
    '在 OAuth & Permissions > Bot Token Scopes 中添加它们（或重新粘贴 manifest.yml），然后把应用重新安装到工作区',
  botAuthFix:
    '在 OAuth & Permissions 页面复制 Bot User OAuth Token（如果已被吊销，请重新安装应用）',
  appUnset:
    '未设置，因此使用 HTTP 模式：Slack 用 SLACK_SIGNING_SECRET 为每个请求签名，这只能由真实请求来验证',
  appOk: (hint) => `${hint} 已被 apps.connections.open 接受（Socket 模式）`,
  appAuthFix:
    '在 Basic Information > App-Level Tokens 下生成带 connections:write 权限范围的应用级令牌，并开启 Socket Mode',
  invalid: (code, token) => `${code} — ${token} 无效`,
  wrongKind: (code, token) => `${code} — ${token} 的令牌类型不对`,
  missingScope: (code, token, method) =>
    `${code} — ${token} 缺少 ${method} 所需的权限范围（scope）`,
  refused: (code, method) => `${code} — Slack 拒绝了 ${method}`,
  refusedFix: (method, authFix) =>
    `在 https://api.slack.com/methods/${method} 查阅该错误；${authFix}`,
  networkError: '网络错误',
  httpStatus: (status, url) => `${url} 返回 HTTP ${status}`,
  httpStatusFix: '确认 SLACK_API_URL 是 Slack Web API（https://slack.com/api/），并检查中间的代理',
  rateLimited: (method) => `Slack 对 ${method} 限流`,
  rateLimitedFix: (seconds) => `${seconds} 秒后重试`,
  failed: (method, text) => `${method} 调用失败：${text}`,
};
