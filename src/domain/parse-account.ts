import { chooseAccount, DEFAULT_ACCOUNT, regionsOf } from './accounts.js';
import { shown } from './parse-tokens.js';
import type { ParseOptions, ParseProblem } from './parse-types.js';

// `account=` in the command (issue 24): the account rules of accounts.ts with the parser's
// options (the configured accounts, the channel), and the account's regions.

/**
 * `account=`, or the channel's account (ACCOUNTS_FILE), with the account's regions: the region
 * given must be one of them. Without accounts, `account=default` alone is accepted, and the draft
 * names no account.
 */
export function readAccount(
  given: { token: string; value: string } | undefined,
  options: ParseOptions,
  regions: readonly string[],
): { ok: true; name?: string; defaultRegion: string } | { ok: false; problem: ParseProblem } {
  const asked = given?.value;
  if (!options.accounts) {
    if (asked === undefined || asked.toLowerCase() === DEFAULT_ACCOUNT) {
      return { ok: true, defaultRegion: options.defaultRegion };
    }
    return {
      ok: false,
      problem: {
        kind: 'unknown_account',
        token: shown(given?.token ?? asked),
        names: [DEFAULT_ACCOUNT],
      },
    };
  }
  const choice = chooseAccount(options.accounts, options.channelId, asked);
  if (!choice.ok) {
    const problem = choice.problem;
    return {
      ok: false,
      problem:
        problem.kind === 'unknown_account'
          ? { ...problem, token: shown(given?.token ?? '') }
          : problem,
    };
  }
  const own = regionsOf(choice.account, { defaultRegion: options.defaultRegion, regions });
  return { ok: true, name: choice.account.name, defaultRegion: own.defaultRegion };
}

/** The region must be one the request's account allows (ACCOUNTS_FILE `regions:`). */
export function regionOutsideAccount(
  region: string,
  token: string | undefined,
  account: string | undefined,
  options: ParseOptions,
  regions: readonly string[],
): ParseProblem | undefined {
  const view = options.accounts?.find((a) => a.name === account);
  if (!view?.regions?.length) return undefined;
  const own = regionsOf(view, { defaultRegion: options.defaultRegion, regions });
  if (own.regions.includes(region)) return undefined;
  return {
    kind: 'region_not_in_account',
    token: shown(token ?? `region=${region}`),
    account: view.name,
    regions: own.regions,
  };
}
