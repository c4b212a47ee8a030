import { readAccount, regionOutsideAccount } from './parse-account.js';
import { KEY_PAIR_NAME, shown, wideProblem } from './parse-tokens.js';
import type { ImportCommand, ParseFailure, ParseOptions, ParseProblem } from './parse-types.js';
import { parsePublicKey } from './public-key.js';
import { knownRegionsWith } from './regions.js';

// `/attach-key import NAME PUBLIC-KEY [region=R]` (also `导入`): read apart from the request
// grammar, because a public key line has spaces, "=" and "+" in it and commas in its comment.
// The key is one line, `type base64 [comment]`, checked for real (public-key.ts); a trailing
// `region=…` word is the option. The text arrives normalised (parse.ts), with & < > decoded.

export const IMPORT_WORDS: readonly string[] = ['import', '导入'];

/** The text after the `import` word, when the command starts with it. */
export function importArguments(text: string): string | undefined {
  const match = /^\s*(\S+)([\s\S]*)$/.exec(text);
  if (!match || !IMPORT_WORDS.includes((match[1] ?? '').toLowerCase())) return undefined;
  return match[2] ?? '';
}

export function parseImport(
  args: string,
  options: ParseOptions,
): ImportCommand | ({ kind: 'error' } & ParseFailure) {
  const fail = (problem: ParseProblem) => ({ kind: 'error' as const, problem, more: 0 });
  let rest = args.trim();
  let region = options.defaultRegion;
  // ACCOUNTS_FILE: a trailing `account=NAME` (before or after `region=`); the service applies the
  // account rules with the channel.
  let account: string | undefined;
  const takeAccount = (): ParseProblem | undefined => {
    const named = /(?:^|\s)(account=\S*)$/i.exec(rest)?.[1];
    if (named === undefined || account !== undefined) return undefined;
    account = named.slice('account='.length).toLowerCase();
    rest = rest.slice(0, rest.length - named.length).trim();
    return account === ''
      ? { kind: 'empty_value', token: shown(named), name: 'account' }
      : undefined;
  };
  const accountFirst = takeAccount();
  if (accountFirst) return fail(accountFirst);
  const option = /(?:^|\s)(region=\S*)$/i.exec(rest);
  if (option?.[1]) {
    const value = option[1].slice('region='.length);
    if (value === '') return fail({ kind: 'empty_value', token: shown(option[1]), name: 'region' });
    const regions = [
      ...knownRegionsWith(options.defaultRegion, options.knownRegions),
      ...(options.accounts ?? []).flatMap((a) => a.regions ?? []),
    ];
    if (!regions.includes(value.toLowerCase())) {
      return fail({ kind: 'unknown_region', token: shown(option[1]), regions });
    }
    region = value.toLowerCase();
    rest = rest.slice(0, rest.length - option[1].length).trim();
  }
  const accountLast = takeAccount();
  if (accountLast) return fail(accountLast);
  // ACCOUNTS_FILE: the account's default region without region=, and only its regions with it.
  if (options.accounts) {
    const known = knownRegionsWith(options.defaultRegion, options.knownRegions);
    const asked =
      account === undefined ? undefined : { token: `account=${account}`, value: account };
    const chosen = readAccount(asked, options, known);
    if (!chosen.ok) return fail(chosen.problem);
    if (!option?.[1]) region = chosen.defaultRegion;
    const outside = regionOutsideAccount(region, option?.[1], chosen.name, options, known);
    if (outside) return fail(outside);
  }
  const name = /^\S+/.exec(rest)?.[0];
  if (name === undefined) return fail({ kind: 'import_usage', missing: 'name' });
  // The name left out: the first word is already the key's type.
  if (/^(ssh-|ecdsa-)/.test(name)) return fail({ kind: 'import_usage', missing: 'name' });
  const wide = wideProblem(name);
  if (wide) return fail(wide);
  if (!KEY_PAIR_NAME.test(name)) return fail({ kind: 'bad_key_pair_name', token: shown(name) });
  const keyText = rest.slice(name.length).trim();
  if (keyText === '') return fail({ kind: 'import_usage', missing: 'key' });
  const parsed = parsePublicKey(keyText);
  if (!parsed.ok) return fail({ kind: 'bad_public_key', problem: parsed.problem });
  return {
    kind: 'import',
    keyPairName: name,
    region,
    key: parsed.key,
    ...(account !== undefined ? { account } : {}),
  };
}
