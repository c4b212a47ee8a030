import type { DeniedCode, ErrorCode, OutcomeTexts } from '../../domain/outcome.js';

// 简体中文：每个错误码“发生了什么；该怎么做”（英文版与错误码列表在 src/domain/outcome.ts）。
// `satisfies Record<ErrorCode, string>`: a code missing here, or one too many, is a compile error.

export const zhOutcome: OutcomeTexts = Object.freeze({
  explanations: Object.freeze({
    // AttachKeyPair，请求级
    'MissingParameter.KeyPairNameAndKeyPairId':
      '未指定密钥对（名称和 ID 都为空）；请重新发起请求，并给出密钥对名称或 kp- 开头的 ID',
    'MissingParameter.InstanceIds': '调用中没有实例 ID；请重新发起请求，至少包含一个实例 ID',
    'LimitExceeded.MaximumInstanceIds':
      '一次调用发送了超过 100 个实例 ID；这是机器人的缺陷（每批最多 100 个），请反馈给维护者',
    'InvalidClientToken.Malformed':
      '火山引擎认为幂等令牌（ClientToken）不合法；这是机器人的缺陷，请反馈给维护者',
    IdempotentParameterMismatch:
      '该幂等令牌（ClientToken）已被另一个不同的调用使用，因此没有执行任何操作；请反馈给维护者，然后作为新请求重新发起',
    'InvalidKeyPair.NotFound':
      '该地域下不存在这个密钥对；请核对名称或 kp- ID 以及地域，然后重新发起请求',
    IdempotentProcessing:
      '相同的上一次调用仍在处理中；请等几分钟，检查实例状态，需要时再重新发起请求',
    InternalError: '火山引擎内部错误，重试后仍失败；请稍后重新发起请求，如多次失败请提交工单',

    // AttachKeyPair，单台实例
    'InvalidInstance.NotFound': '该地域下不存在这台实例；请核对实例 ID 和地域',
    'InvalidKeyPairForWindows.Unsupported':
      '该实例是 Windows 操作系统，不支持密钥对；请继续使用密码登录',
    'InvalidResetAuthenticationAgent.NotFound':
      '实例上未安装密码插件（重置密码插件）；请先安装，再重新发起请求',
    InvalidInstanceStatus: '实例必须处于运行中或已停止状态；请启动或停止实例后，再重新发起请求',
    FlowLimitExceeded: '调用被火山引擎限流，重试次数已用完；请等几分钟，再为这些实例重新发起请求',

    // 网关（公共）错误码
    UndefinedError: '火山引擎返回了未定义的内部错误；请稍后重新发起请求，如多次失败请提交工单',
    MissingParameter:
      '火山引擎提示缺少必填参数（如 Action 或 Version）；这是机器人的缺陷，请反馈给维护者',
    MissingAuthenticationToken:
      '调用没有携带凭证；请为机器人配置 VOLC_ACCESS_KEY_ID 和 VOLC_SECRET_ACCESS_KEY',
    MissingRequestInfo:
      '调用缺少签名信息（时间、AccessKey、服务或地域）；这是机器人的缺陷，请反馈给维护者',
    MissingSignature: '调用没有签名；这是机器人的缺陷，请反馈给维护者',
    InvalidTimestamp: '机器人所在主机的时钟不准（签名时间被拒绝）；请用 NTP 同步时钟后重新发起请求',
    ServiceNotFound: '火山引擎无法识别签名中的服务；请检查 VOLC_ENDPOINT 和地域',
    ServiceUnavailable: '火山引擎无法识别签名中的服务；请检查 VOLC_ENDPOINT 和地域',
    InvalidActionOrVersion:
      '火山引擎不认识这个操作或 API 版本；请确认 VOLC_ENDPOINT 是 OpenAPI 地址（open.volcengineapi.com）',
    InvalidAccessKey:
      'AccessKey 不存在或已禁用；请检查 VOLC_ACCESS_KEY_ID（使用临时密钥时还需 VOLC_SESSION_TOKEN）',
    InvalidClientTokenId:
      'AccessKey 不存在或已禁用；请检查 VOLC_ACCESS_KEY_ID（使用临时密钥时还需 VOLC_SESSION_TOKEN）',
    SignatureDoesNotMatch:
      '签名不匹配；请确认 VOLC_SECRET_ACCESS_KEY 与 VOLC_ACCESS_KEY_ID 是同一对密钥',
    ServiceShouldCallSelfApi:
      '这个 AccessKey 属于服务账号，只能调用该服务自己的 API；请改用 IAM 用户的 AccessKey',
    LackPolicy:
      'AccessKey 所属用户没有允许这次 ECS 调用的权限策略；授权后（见 README：Going live）重新发起请求',
    AccessDenied: 'AccessKey 所属用户无权对这些资源发起这次 ECS 调用；请联系火山引擎管理员授权',
    InternalServiceTimeout: 'ECS 后端超时，重试后仍失败；请在控制台检查这些实例，然后重新发起请求',
    ServiceUnavailableTemp: 'ECS 暂时不可用，重试后仍失败；请几分钟后重新发起请求',
    FailToConnect: '火山引擎网关连不上 ECS，重试后仍失败；请几分钟后重新发起请求',
    InternalServiceError: '火山引擎内部服务错误；请稍后重新发起请求，如多次失败请提交工单',
    MethodNotAllowed:
      '火山引擎拒绝了该 HTTP 方法；这是机器人的缺陷（AttachKeyPair 以 GET 发送），请反馈给维护者',
    LackProjectPolicy: 'AccessKey 所属用户在这些实例所在的项目中没有权限；授权后重新发起请求',

    // 重启与撤销
    RestartTimeout:
      '实例已重启，但未在限定时间内恢复为运行中（RUNNING）；请在控制台查看（可能仍在启动），滚动重启已在此停止',
    'InvalidKeyPair.NotAttached':
      '要解绑的密钥对已不是实例当前绑定的那个（之后有人改过）；请检查实例，这台实例没有任何改动',

    // 立即生效（云助手）与导入命令
    CloudAssistantNotRunning: '实例上的云助手客户端未在运行，无法立即生效；请改为重启该实例',
    InstanceNotRunning: '实例不在运行中（RUNNING），无法执行命令；密钥将在其下次启动时生效',
    KeyNotBound: '密钥对没有绑定到该实例，因此没有立即生效；请先按绑定失败的原因处理',
    CommandFailed: '脚本在实例上执行失败；退出码和最后一行输出说明了原因，脚本没有做其他改动',
    CommandTimeout:
      '脚本未在限定时间内执行完；请检查该实例的 ~/.ssh/authorized_keys，然后再次执行或改为重启',
    CommandNoResult: '云助手未在限定时间内给出最终结果，命令可能仍在执行；请先检查实例再重试',
    'InvalidInstanceId.Unregister':
      '实例上没有已注册的云助手客户端（可能正在启动，或未安装）；请改为重启该实例',
    'InvalidInvocationId.NotFound': '云助手找不到机器人发起的命令；请检查实例，需要时再次执行',
    'InvalidKeyPair.Duplicate':
      '该地域已有同名密钥对；请换一个名称，或仅在确认是同一把密钥时以现有名称导入',
    'InvalidParameter.PublicKey': '火山引擎不接受该公钥；请原样粘贴 .pub 文件中的那一行',

    // 机器人客户端（传输层）
    Timeout:
      '火山引擎未及时响应，重试次数已用完，密钥对可能已绑定也可能没有；请检查这些实例后再重新发起请求',
    NetworkError:
      '机器人连不上火山引擎（网络错误），重试次数已用完；请检查网络和 VOLC_ENDPOINT，然后重新发起请求',
    HttpError:
      '火山引擎返回了意外的 HTTP 状态码且没有错误码；请稍后重新发起请求，并检查 VOLC_ENDPOINT',
    InvalidResponse:
      '火山引擎返回的内容不是 API 响应（常见于代理）；请检查 VOLC_ENDPOINT 和代理设置，然后重新发起请求',
    RequestError:
      '机器人无法发出调用（配置问题或机器人缺陷）；请检查 VOLC_ENDPOINT，然后反馈给维护者',
    UnexpectedError: '机器人遇到意外错误；请在机器人日志中按请求 ID 查找原因，然后重新发起请求',
  } satisfies Record<ErrorCode, string>),
  denied: (code: DeniedCode, action: string, permission: string) =>
    code === 'LackPolicy'
      ? `火山引擎拒绝了 ${action}：AccessKey 所属用户没有允许 ${permission} 的权限策略；授权后重新发起请求`
      : `火山引擎拒绝了 ${action}：AccessKey 所属用户无权对这些资源调用 ${permission}；请联系火山引擎管理员授权`,
  fallback: '暂无说明',
});
