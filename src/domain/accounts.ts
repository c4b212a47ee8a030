// Several Volcengine accounts from one bot (issue 24): which account a request belongs to. Pure:
// the configured accounts are passed in. Without ACCOUNTS_FILE there is one account, `default`,
// and requests carry no account at all (absent reads as `default`), so nothing changes for
// single-account installations.

export const DEFAULT_ACCOUNT = 'default';

/** Account names: shown on cards, typed in `account=`. */
export const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** What the chat side knows of an account: no credentials. */
export interface AccountView {
  name: string;
  /** The account's id (from STS GetCallerIdentity, or the role's TRN), when known. */
  accountId?: string;
  /** Allowed regions; absent: every known region. */
  regions?: readonly string[];
  /** The region a request uses without `region=`. */
  defaultRegion?: string;
  /** Requests from these channels use this account by default, and no other. */
  channels: readonly string[];
}

/** Why the account of a request could not be chosen (a parse problem: see parse-types.ts). */
export type AccountProblem =
  /** `account=NAME` names no configured account. */
  | { kind: 'unknown_account'; token: string; names: readonly string[] }
  /** Several accounts, no channel mapping, no `account=`. */
  | { kind: 'account_required'; names: readonly string[] }
  /** The channel is mapped to `mapped`; `asked` is another account. */
  | { kind: 'account_not_for_channel'; asked: string; mapped: string }
  /** The region is not one of the account's `regions`. */
  | { kind: 'region_not_in_account'; token: string; account: string; regions: readonly string[] };

export type AccountChoice =
  | { ok: true; account: AccountView }
  | { ok: false; problem: AccountProblem };

/** The account of a stored request: absent (single-account installations, old rows) is `default`. */
export function accountOf(request: { account?: string | undefined }): string {
  return request.account ?? DEFAULT_ACCOUNT;
}

/** The account a channel is mapped to, if any. */
export function accountOfChannel(
  accounts: readonly AccountView[],
  channelId: string | undefined,
): AccountView | undefined {
  if (channelId === undefined) return undefined;
  return accounts.find((a) => a.channels.includes(channelId));
}

/**
 * The account a request from `channelId` uses: `asked` (from `account=` or the form), else the
 * channel's mapping, else the only account. A channel mapped to one account may not use another.
 */
export function chooseAccount(
  accounts: readonly AccountView[],
  channelId: string | undefined,
  asked: string | undefined,
): AccountChoice {
  const names = accounts.map((a) => a.name);
  const mapped = accountOfChannel(accounts, channelId);
  if (asked !== undefined) {
    const name = asked.toLowerCase();
    const account = accounts.find((a) => a.name === name);
    if (!account) return { ok: false, problem: { kind: 'unknown_account', token: asked, names } };
    if (mapped && mapped.name !== account.name) {
      return {
        ok: false,
        problem: { kind: 'account_not_for_channel', asked: account.name, mapped: mapped.name },
      };
    }
    return { ok: true, account };
  }
  if (mapped) return { ok: true, account: mapped };
  const [only] = accounts;
  if (accounts.length === 1 && only) return { ok: true, account: only };
  return { ok: false, problem: { kind: 'account_required', names } };
}

/** The regions a request of this account may use, and its default region. */
export function regionsOf(
  account: AccountView | undefined,
  fallback: { defaultRegion: string; regions: readonly string[] },
): { defaultRegion: string; regions: readonly string[] } {
  const regions = account?.regions?.length ? account.regions : fallback.regions;
  const defaultRegion =
    account?.defaultRegion ??
    (regions.includes(fallback.defaultRegion)
      ? fallback.defaultRegion
      : (regions[0] ?? fallback.defaultRegion));
  return {
    defaultRegion,
    regions: regions.includes(defaultRegion) ? regions : [defaultRegion, ...regions],
  };
}
