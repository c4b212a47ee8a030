import type { Config } from '../config/config.js';
import { PolicyFileError } from '../config/policy-file.js';
import type { AccountView } from '../domain/accounts.js';
import type { PolicyRule } from '../domain/policy.js';
import type { AppLogger } from './logger.js';

// The composition root's part of issue 24: what the chat side and the service know of each
// account (no credentials), the policy rules checked against the accounts served, and the account
// ids STS tells at start.

/** ACCOUNTS_FILE: one view per account; undefined without the file (one account, `default`). */
export function accountViews(config: Config): AccountView[] | undefined {
  if (!config.accountsFromFile) return undefined;
  return config.accounts.map((a) => ({
    name: a.name,
    ...(a.accountId ? { accountId: a.accountId } : {}),
    ...(a.regions ? { regions: a.regions } : {}),
    defaultRegion: a.defaultRegion,
    channels: a.channels,
  }));
}

/** A rule for an account the bot does not serve would never apply: refused like a typo. */
export function checkRuleAccounts(config: Config, rules: readonly PolicyRule[]): void {
  const served = config.accounts.map((a) => a.name);
  for (const rule of rules) {
    const account = rule.match.account;
    if (account !== undefined && !served.includes(account)) {
      throw new PolicyFileError(
        `POLICY_FILE ${config.policy.policyFile}: rule "${rule.name}": match.account: ${account} is not an account this bot serves (${served.join(', ')})`,
      );
    }
  }
}

/**
 * The id of each account a role's TRN does not name, from STS GetCallerIdentity (one bounded
 * attempt each, all at once), written into its view. Cards name the account without it when STS
 * cannot tell; nothing else depends on it.
 */
export async function identifyAccounts(
  views: AccountView[],
  identify: (account: string) => Promise<string>,
  logger: AppLogger,
): Promise<void> {
  await Promise.all(
    views
      .filter((view) => view.accountId === undefined)
      .map(async (view) => {
        try {
          view.accountId = await identify(view.name);
          logger.info('account identified', { account: view.name, accountId: view.accountId });
        } catch (error) {
          logger.warn('account id unknown (STS GetCallerIdentity failed)', {
            account: view.name,
            error,
          });
        }
      }),
  );
}
