import type { Config } from '../config/config.js';
import type { AccountView } from '../domain/accounts.js';
import type { PolicyRule } from '../domain/policy.js';
import type { ServiceSettings } from '../service/context.js';

// What the service is told of the configuration: the approval policy with the policy file's rules,
// the requester rules and limits, the follow-ups' settings, and (ACCOUNTS_FILE) the accounts.

export function serviceSettings(
  config: Config,
  rules: PolicyRule[],
  accounts: readonly AccountView[] | undefined,
): ServiceSettings {
  return {
    policy: {
      minApprovals: config.policy.minApprovals,
      approvers: config.policy.approverIds,
      allowSelfApproval: config.policy.allowSelfApproval,
      rules,
    },
    ...(accounts ? { accounts } : {}),
    requesterIds: config.policy.requesterIds,
    allowedChannelIds: config.policy.allowedChannelIds,
    maxInstancesPerRequest: config.policy.maxInstancesPerRequest,
    maxOpenRequestsPerUser: config.policy.maxOpenRequestsPerUser,
    requestTtlMinutes: config.policy.requestTtlMinutes,
    sandbox: config.sandbox,
    maxConcurrency: config.volc.maxConcurrency,
    retentionDays: config.storage.retentionDays,
    restart: {
      waveSize: config.followUps.restartWaveSize,
      waveTimeoutMs: config.followUps.restartWaveTimeoutMinutes * 60_000,
    },
    undoWindowHours: config.followUps.undoWindowHours,
    applyNowUser: config.followUps.applyNowUser,
    leaseSeconds: config.storage.leaseSeconds,
  };
}
