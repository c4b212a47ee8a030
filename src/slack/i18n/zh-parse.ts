import { type OptionName, USAGE } from '../../domain/parse.js';
import type { PublicKeyProblem } from '../../domain/public-key.js';
import { COMMAND } from '../ids.js';
import type { Catalogue } from './en.js';
import { num } from './zh-words.js';

// 简体中文：解析器拒绝的输入（命令与表单）和它的附注。`f.q` 引用用户输入，`f.x` 处理其他文本；
// 见 parse-texts.ts。

const { instanceId, keyPairId, keyPairName } = USAGE.examples;
const OPTIONS = 'key=名称、key-id=kp-…、region=地域 和 then=restart|apply-now';
/** 可用选项；服务多个账号时包括 account=。 */
const optionsOf = (p: { account?: true }) =>
  p.account
    ? 'key=名称、key-id=kp-…、region=地域、account=账号名 和 then=restart|apply-now'
    : OPTIONS;
/** What an option takes, shown after its name. */
const placeholder = (name: OptionName): string =>
  name === 'key' || name === 'account'
    ? '名称'
    : name === 'key-id'
      ? 'kp-…'
      : name === 'region'
        ? '地域'
        : 'restart|apply-now';
const SELECTORS = 'tag:键=值、tag:键、holding:名称、holding:kp-… 或 holding:none';
const NAME_RULE = '名称长 2–64 个字符，以字母或汉字开头，只能包含字母、数字、汉字、"."、"_" 和 "-"';

const KEY_TYPES = 'ssh-ed25519、ecdsa-sha2-nistp256/384/521 或 ssh-rsa（至少 2048 位）';
const PUBLIC_KEY: {
  [K in PublicKeyProblem['reason']]: (p: Extract<PublicKeyProblem, { reason: K }>) => string;
} = {
  empty: () => '没有给出公钥',
  multiline: () => '公钥跨了多行：请粘贴 .pub 文件中的那一行',
  options: () =>
    'authorized_keys 的选项（from=…、command=…）不属于公钥：只粘贴「类型 base64 注释」',
  type: (p) => `“${p.given}”不是机器人支持的密钥类型：请使用 ${KEY_TYPES}`,
  base64: () => '第二段不是有效的 base64：请原样粘贴公钥',
  blob: (p) =>
    `密钥数据与其类型不符（${p.detail === 'type_mismatch' ? '数据声明了另一种类型' : p.detail === 'curve' ? '曲线不符' : p.detail === 'size' ? '长度不对' : p.detail === 'trailing' ? '多出了字节' : '数据不完整'}）：请原样粘贴公钥`,
  rsa_too_short: (p) =>
    `这把 RSA 密钥只有 ${num(p.bits)} 位，至少需要 ${num(p.min)} 位（建议用 ssh-keygen -t ed25519 生成新密钥）`,
  rsa_too_long: (p) => `这把 RSA 密钥有 ${num(p.bits)} 位，最多支持 ${num(p.max)} 位`,
  comment: () => '注释中含有控制字符，或长于 200 个字符',
};

const sayPublicKey = (problem: PublicKeyProblem): string => {
  const say = (PUBLIC_KEY as Record<string, ((x: PublicKeyProblem) => string) | undefined>)[
    problem.reason
  ];
  return say ? say(problem) : PUBLIC_KEY.empty({ reason: 'empty' });
};

export const zhParse: Catalogue['parse'] = {
  problem: {
    too_long: (p) => `文本长度为 ${num(p.length)} 个字符，上限是 ${num(p.limit)}。请拆成多个请求。`,
    markup: (p, f) => `Slack 提及和链接不是实例 ID：${f.q(p.token)}。请直接粘贴纯文本的 ID。`,
    wide_characters: (p, f) =>
      `${f.q(p.token)} 含有全角字符：请切换到半角输入，写作 ${f.q(p.ascii)}。`,
    status_needs_id: () =>
      `status 需要一个请求 ID：请输入 ${COMMAND} status 请求ID（ID 在审批卡片上）。`,
    extra_word: (p, f) =>
      `${f.q(p.token)} 是多余的：${p.command === 'status' ? 'status 只接受一个请求 ID' : 'history 只接受一个数字'}。`,
    bad_request_id: (p, f) => `${f.q(p.token)} 不是请求 ID：请从审批卡片上复制 ID。`,
    bad_history_count: (p, f) =>
      `${f.q(p.token)} 不是 1 到 ${num(p.max)} 之间的整数：例如输入 ${COMMAND} history 20；只输入 ${COMMAND} history 则显示最近 ${num(p.defaultLimit)} 个。`,
    not_an_option: (p, f) =>
      `${f.q(p.token)} ${p.named ? '不是可用的选项' : '缺少选项名'}：可用选项为 ${optionsOf(p)}，= 两侧不要有空格。`,
    option_twice: (p, f) =>
      `${p.name}= 出现了两次（${f.q(p.first)} 和 ${f.q(p.token)}）：只需给一次。`,
    empty_value: (p, f) =>
      `${f.q(p.token)} 没有值：请输入 ${p.name}=${placeholder(p.name)}，= 后面不要有空格。`,
    unknown_region: (p, f) =>
      `${f.q(p.token)} 不是本机器人支持的地域：请使用 ${f.x(p.regions.join('、'))} 之一。`,
    bad_key_pair_id: (p, f) =>
      `${f.q(p.token)} 不是密钥对 ID：${p.fix ? `密钥对 ID 须为小写，是否要输入 ${f.x(p.fix)}？` : `密钥对 ID 形如 ${keyPairId}；按名称指定请用 key=名称。`}`,
    bad_key_pair_name: (p, f) =>
      `${f.q(p.token)} 不是有效的密钥对名称：${NAME_RULE}。${p.fix ? `是否要输入 ${f.x(p.fix)}？` : ''}`,
    lower_case_id: (p, f) => `${f.q(p.token)}：实例 ID 须为小写，是否要输入 ${f.x(p.fix)}？`,
    option_needs_value: (p, f) =>
      `${f.q(p.token)} 缺少值：请输入 ${p.name}=${placeholder(p.name)}，= 两侧不要有空格。`,
    key_pair_id_alone: (p, f) => `${f.q(p.token)} 看起来是密钥对 ID：请输入 ${f.x(p.fix)}。`,
    region_alone: (p, f) => `${f.q(p.token)} 看起来是地域：请输入 ${f.x(p.fix)}。`,
    id_with_extras: (p, f) => `${f.q(p.token)} 不是实例 ID：是否要输入 ${f.x(p.fix)}？`,
    not_an_id: (p, f) =>
      `${f.q(p.token)} 不是实例 ID${p.orOption ? `，也不是选项（可用选项为 ${optionsOf(p)}）` : ''}。实例 ID 形如 ${instanceId}。`,
    missing: (p) => {
      const parts = [
        p.instanceIds ? `实例 ID（例如 ${instanceId}）或选择器（${SELECTORS}）` : '',
        p.keyPair ? '密钥对（key=名称 或 key-id=kp-…）' : '',
      ];
      return `缺少${parts.filter(Boolean).join('和')}。`;
    },
    too_many_ids: (p) =>
      `共给出 ${num(p.count)} 个实例 ID${p.given > p.count ? `（去重前 ${num(p.given)} 个）` : ''}，每个请求最多 ${num(p.limit)} 个。请拆成多个请求。`,
    option_in_instances: (p, f) =>
      `${f.q(p.token)}：这里只填实例 ID；密钥对和地域请在各自的字段中选择。`,
    no_instances: () => `请至少输入一个实例 ID，例如 ${instanceId}。`,
    nothing_picked: () => '请至少选择一台实例、在下方粘贴实例 ID，或按标签或密钥对选择实例。',
    key_pair_not_picked: () => '请从列表中选择一个密钥对。',
    key_pair_empty: () => `请输入密钥对名称（例如 ${keyPairName}）或 ID（例如 ${keyPairId}）。`,
    key_pair_space: (p, f) => `${f.q(p.token)} 中含有空格：请只输入一个密钥对名称或 ID。`,
    key_pair_prefixed: (p, f) => `${f.q(p.token)}：只需输入名称或 ID，不要带 ${p.prefix}。`,
    key_pair_id_case: (p, f) => `${f.q(p.token)}：密钥对 ID 须为小写，是否要输入 ${f.x(p.fix)}？`,
    key_pair_id_shape: (p, f) =>
      `${f.q(p.token)} 以 kp- 开头，因此按密钥对 ID 处理，但 ID 应形如 ${keyPairId}。`,
    selector_empty: (p, f) =>
      p.selector === 'tag'
        ? `${f.q(p.token)} 没有写标签：请输入 tag:键=值（例如 tag:env=prod），或 tag:键 表示该键的任意值。`
        : `${f.q(p.token)} 没有写密钥对：请输入 holding:名称、holding:kp-… 或 holding:none。`,
    tag_empty_value: (p, f) =>
      `${f.q(p.token)} 的 = 后面没有值：请写上值（tag:键=值），或输入 ${f.x(p.fix)} 选择该键的任意值。`,
    bad_tag: (p, f) =>
      `${f.q(p.token)}：标签的${p.part === 'key' ? '键' : '值'}最多 ${num(p.limit)} 个字符，且不能含控制字符。`,
    bad_holding: (p, f) =>
      `${f.q(p.token)} 没有指明密钥对：请输入 holding:名称、holding:kp-… 或 holding:none（${NAME_RULE}）。${p.fix ? `是否要输入 ${f.x(p.fix)}？` : ''}`,
    selector_twice: (p, f) =>
      `${f.q(p.token)} 与 ${f.q(p.first)} 不可能同时成立：一台实例的每个标签键只有一个值，也只绑定一个密钥对。每个标签键和 holding: 只能给一次。`,
    too_many_tags: (p) =>
      `共 ${num(p.count)} 个标签选择器：火山引擎一次最多按 ${num(p.limit)} 个标签键筛选。`,
    ids_and_selectors: (p, f) =>
      `${f.q(p.id)} 是实例 ID，${f.q(p.selector)} 是选择器：请只用实例 ID 或只用选择器指定实例，不要混用。`,
    picked_and_selector: () =>
      '上方也选择或粘贴了实例：请只在上方选择，或只按选择器选择，不要同时使用。',
    bad_then: (p, f) =>
      `${f.q(p.token)}：then= 只接受 ${f.x(p.accepted.join('、'))}（restart：绑定密钥对后滚动重启；apply-now：通过云助手立即生效，无需重启）。`,
    import_usage: (p) =>
      `import 需要${p.missing === 'name' ? '先给出密钥对名称' : '在名称后给出公钥'}：请输入 ${COMMAND} import 名称 ssh-ed25519 AAAA… [region=地域]（.pub 文件中的那一行，切勿粘贴私钥）。`,
    bad_public_key: (p, f) => `这不是机器人可用的公钥：${f.x(sayPublicKey(p.problem))}。`,
    unknown_account: (p, f) =>
      `${f.q(p.token)} 不是本机器人服务的账号：请用 account= 指定 ${f.x(p.names.join('、'))} 之一。`,
    account_required: (p, f) =>
      `本机器人服务多个火山引擎账号，而此频道未对应任何账号：请加上 account=名称，可选 ${f.x(p.names.join('、'))}。`,
    account_not_for_channel: (p, f) =>
      `此频道使用账号 ${f.x(p.mapped)}，不能在这里使用账号 ${f.x(p.asked)}：请去掉 account=，或到账号 ${f.x(p.asked)} 的频道提出申请。`,
    region_not_in_account: (p, f) =>
      `${f.q(p.token)} 不是账号 ${f.x(p.account)} 可用的地域：请使用 ${f.x(p.regions.join('、'))} 之一。`,
  },
  note: {
    duplicates_removed: (n) => `已去掉 ${num(n.count)} 个重复的 ID`,
    key_id_wins: (n, f) =>
      `key-id 优先于 key=：API 绑定 ${f.x(n.keyPairId)}，忽略 key=${f.x(n.keyPairName)}`,
    key_read_as_name: (n, f) =>
      `key=${f.x(n.keyPairName)} 按密钥对名称处理；如要指定 ID，请用 key-id=`,
  },
  more: (n) => `（另有 ${num(n)} 处也有问题。）`,
};
