import { z } from 'zod';
import {
  bool,
  emptyAsUndefined,
  idList,
  optionalText,
  type Problems,
  positiveNumber,
  wholeNumber,
} from './fields.js';

// Who may ask and who may approve, how many approvals a request needs, and the limits of a
// request and of its follow-ups (restart waves, the undo window, apply now's user).

const userIds = () =>
  idList(/^[UW][A-Z0-9]{2,}$/, 'expected Slack user ids such as U012ABCDEF, separated by commas');
const approverIds = () =>
  idList(
    /^[UWS][A-Z0-9]{2,}$/,
    'expected Slack user ids (U012ABCDEF) or user-group ids (S012ABCDEF), separated by commas',
  );
const minutes = 'a positive number of minutes (fractions allowed)';

// useradd's default rule (NAME_REGEX), at most 32 characters: the name goes to RunCommand.
const LINUX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const linuxUser = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .regex(LINUX_USER, {
        error:
          'expected a Linux user name such as root or ops (lower-case letters, digits, _ and -, starting with a letter or _, at most 32 characters)',
      })
      .optional()
      .transform((v) => v ?? fallback),
  );

export const policyFields = {
  APPROVER_USER_IDS: approverIds(),
  MIN_APPROVALS: wholeNumber(1, 1, 20),
  POLICY_FILE: optionalText,
  ALLOW_SELF_APPROVAL: bool(false),
  REQUESTER_USER_IDS: userIds(),
  ALLOWED_CHANNEL_IDS: idList(
    /^[CGD][A-Z0-9]{2,}$/,
    'expected Slack channel ids such as C012ABCDEF, separated by commas',
  ),
  MAX_INSTANCES_PER_REQUEST: wholeNumber(500, 1, 10_000),
  MAX_OPEN_REQUESTS_PER_USER: wholeNumber(5, 1, 1_000),
  REQUEST_TTL_MINUTES: positiveNumber(60, minutes),
  RESTART_WAVE_SIZE: wholeNumber(10, 1, 1_000),
  RESTART_WAVE_TIMEOUT_MINUTES: positiveNumber(10, minutes),
  UNDO_WINDOW_HOURS: positiveNumber(24, 'a positive number of hours (fractions allowed)'),
  APPLY_NOW_USER: linuxUser('root'),
};

type Env = z.infer<z.ZodObject<typeof policyFields>>;

export interface PolicyConfig {
  /** Users (U…, W…) and user groups (S…). */
  approverIds: readonly string[];
  minApprovals: number;
  /** POLICY_FILE: rules by tag and size, read at start. */
  policyFile?: string;
  allowSelfApproval: boolean;
  requesterIds: readonly string[];
  allowedChannelIds: readonly string[];
  maxInstancesPerRequest: number;
  /** Requests one person may have waiting for approval at once. */
  maxOpenRequestsPerUser: number;
  requestTtlMinutes: number;
}

export interface FollowUpConfig {
  restartWaveSize: number;
  restartWaveTimeoutMinutes: number;
  undoWindowHours: number;
  /** Whose ~/.ssh/authorized_keys "apply now" writes the key into. */
  applyNowUser: string;
}

export function checkPolicy(env: Readonly<Record<string, unknown>>, problems: Problems): void {
  if (Array.isArray(env.APPROVER_USER_IDS) && env.APPROVER_USER_IDS.length === 0) {
    problems.add(
      'APPROVER_USER_IDS',
      'required: at least one Slack user or user-group id allowed to approve (the bot refuses to run without approvers)',
    );
  }
}

export function toPolicyConfig(env: Env): { policy: PolicyConfig; followUps: FollowUpConfig } {
  return {
    policy: {
      approverIds: env.APPROVER_USER_IDS,
      minApprovals: env.MIN_APPROVALS,
      ...(env.POLICY_FILE ? { policyFile: env.POLICY_FILE } : {}),
      allowSelfApproval: env.ALLOW_SELF_APPROVAL,
      requesterIds: env.REQUESTER_USER_IDS,
      allowedChannelIds: env.ALLOWED_CHANNEL_IDS,
      maxInstancesPerRequest: env.MAX_INSTANCES_PER_REQUEST,
      maxOpenRequestsPerUser: env.MAX_OPEN_REQUESTS_PER_USER,
      requestTtlMinutes: env.REQUEST_TTL_MINUTES,
    },
    followUps: {
      restartWaveSize: env.RESTART_WAVE_SIZE,
      restartWaveTimeoutMinutes: env.RESTART_WAVE_TIMEOUT_MINUTES,
      undoWindowHours: env.UNDO_WINDOW_HOURS,
      applyNowUser: env.APPLY_NOW_USER,
    },
  };
}
