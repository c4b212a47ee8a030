import type { InstanceSnapshot, KeyPairInfo } from '../../domain/request.js';

// What a picker search answers: what is known, and why it may not be the whole story. The
// renderer (render/picker-options.ts) says the hints in the reader's language.

export type PickerHint =
  /** The cloud did not answer within the options deadline; its answer fills the cache later. */
  | { kind: 'slow' }
  /** The cloud answered with an error (AccessDenied, a throttle, …). */
  | { kind: 'refused'; code: string }
  /** Too many searches in flight already; this one was not sent. */
  | { kind: 'busy' }
  /** The region's listing is still being read: prefix matches cover only what is listed. */
  | { kind: 'listing'; listed: number }
  /** The listing stopped at its cap: prefix matches cover only the first `listed`. */
  | { kind: 'truncated'; listed: number }
  /** More matched than one answer can show. */
  | { kind: 'more'; shown: number };

export interface InstanceMatches {
  instances: InstanceSnapshot[];
  hints: PickerHint[];
}

export interface KeyPairMatches {
  keyPairs: KeyPairInfo[];
  hints: PickerHint[];
}

/** Slack shows at most 100 options per answer. */
export const MAX_OPTIONS = 100;
