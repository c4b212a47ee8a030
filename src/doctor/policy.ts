import type { Config } from '../config/config.js';
import { loadPolicyFile } from '../config/policy-file.js';
import type { DoctorTexts } from './i18n/en.js';
import { errorText, fail, pass, type Result } from './lines.js';

// The doctor's policy lines: who approves, and the policy file read as the bot reads it at start.

/** POLICY_FILE read as the bot reads it at start: a file it would refuse is a FAIL line here. */
export async function checkPolicyFile(config: Config, t: DoctorTexts): Promise<Result> {
  const { policyFile, minApprovals } = config.policy;
  if (!policyFile) return pass(t.policy.unset(minApprovals));
  try {
    const rules = await loadPolicyFile(policyFile);
    return pass(
      t.policy.read(
        rules.length,
        rules.map((r) => r.name),
        minApprovals,
      ),
    );
  } catch (error) {
    return fail(t.policy.invalid(errorText(error)), t.policy.invalidFix);
  }
}

export function checkApprovers(config: Config, t: DoctorTexts): Result {
  const ids = config.policy.approverIds;
  if (ids.length === 0) return fail(t.approvers.none, t.approvers.noneFix);
  const more = Math.max(0, ids.length - 5);
  return pass(t.approvers.some(ids.length, ids.slice(0, 5), more, config.policy.allowSelfApproval));
}
