import { ENGLISH_OUTCOME, explainFrom } from '../../domain/outcome.js';
import { enAccess } from './en-access.js';
import { enApply } from './en-apply.js';
import { enCard } from './en-card.js';
import { enFleet } from './en-fleet.js';
import { enGuard } from './en-guard.js';
import { enHome } from './en-home.js';
import { enKeys } from './en-keys.js';
import { enMessages } from './en-messages.js';
import { enModal } from './en-modal.js';
import { enParse } from './en-parse.js';
import { enResults } from './en-results.js';
import { enSandbox } from './en-sandbox.js';
import { enUsage, enUsageAccounts } from './en-usage.js';
import { num, plural } from './en-words.js';
import type { Locale } from './locale.js';

// The English catalogue. Its shape is the type every catalogue must have (Catalogue), so a key
// missing from another language is a compile error, never an English fallback at run time.

export const en = {
  locale: 'en' as Locale,
  num,
  plural: (n: number, noun: string, nouns?: string) => plural(n, noun, nouns),
  status: {
    pending: 'waiting for approval',
    approved: 'approved, starting',
    rejected: 'rejected',
    expired: 'expired',
    executing: 'running',
    done: 'done',
    failed: 'finished with errors',
    cancelled: 'cancelled',
    voided: 'void (other mode)',
  },
  kind: { attach: 'attach', restart: 'restart', undo: 'undo', apply: 'apply now' },
  /**
   * What an error code means and what to do, in plain words (the outcome catalogue); `call`
   * (`ecs:DescribeInstances`) names what was refused.
   */
  explain: (code: string, apiMessage?: string, call?: string) =>
    explainFrom(ENGLISH_OUTCOME, code, apiMessage, call),
  /** Every error code's line (its keys are the same in every language). */
  outcome: ENGLISH_OUTCOME,
  /** Slack's date token renders in each reader's time zone; this is its fallback and format. */
  date: { format: '{date_short_pretty} at {time}' },
  sandboxNote: ':test_tube: SANDBOX — simulated, nothing changes',
  /** How the renderers join a list of items (ids, mentions), clauses, and sentences. */
  join: { list: ', ', clauses: '; ', sentences: '. ' },
  card: enCard,
  /** Fleets: selectors and their refusals (issue 21). */
  fleet: enFleet,
  /** Why a request ended unsent, Cancel, and the refusals of those rules (issue 19). */
  guard: enGuard,
  results: enResults,
  /** Apply now: its card's plan and script, and its results. */
  apply: enApply,
  /** The import command's answers and the private-key warning. */
  keys: enKeys,
  messages: enMessages,
  home: enHome,
  modal: enModal,
  parse: enParse,
  /** `/attach-key help` as mrkdwn, for this command and these (escaped) regions. */
  usage: enUsage,
  /** ACCOUNTS_FILE: the help's line about `account=`. */
  usageAccounts: enUsageAccounts,
  /** What the sandbox does, after the help in sandbox mode (plain text, from its facts). */
  sandbox: enSandbox,
  /** Who may use the bot, and where. */
  access: enAccess,
};

export type Catalogue = typeof en;
