// What the parser says instead of words (parse.ts): every problem kind with the parameters its
// message needs, and the notes on an accepted request. The catalogues word each kind.

import type { AccountProblem, AccountView } from './accounts.js';
import type { PublicKey, PublicKeyProblem } from './public-key.js';

export type OptionName = 'key' | 'key-id' | 'region' | 'then' | 'account';

/** Everything the parser can refuse, with what its message needs. */
export type ParseProblem =
  | { kind: 'too_long'; length: number; limit: number }
  /** A Slack mention or link (`<!channel>`, `<@U1>`, `<http://…>`). */
  | { kind: 'markup'; token: string }
  /** Full-width letters, digits or signs; `ascii` is the same token typed in ASCII. */
  | { kind: 'wide_characters'; token: string; ascii: string }
  | { kind: 'status_needs_id' }
  | { kind: 'extra_word'; token: string; command: 'status' | 'history' }
  | { kind: 'bad_request_id'; token: string }
  | { kind: 'bad_history_count'; token: string; max: number; defaultLimit: number }
  /** `foo=bar` (named) or `=bar` (no name); `account`: account= is an option too (ACCOUNTS_FILE). */
  | { kind: 'not_an_option'; token: string; named: boolean; account?: true }
  | { kind: 'option_twice'; token: string; name: OptionName; first: string }
  | { kind: 'empty_value'; token: string; name: OptionName }
  | { kind: 'unknown_region'; token: string; regions: readonly string[] }
  /** `fix`: the lower-case form to type, when that is all that is wrong. */
  | { kind: 'bad_key_pair_id'; token: string; fix?: string }
  /** `fix`: the name without the quotes around it, when that is all that is wrong. */
  | { kind: 'bad_key_pair_name'; token: string; fix?: string }
  | { kind: 'lower_case_id'; token: string; fix: string }
  /** `key` alone, as if the value were the next word. */
  | { kind: 'option_needs_value'; token: string; name: OptionName }
  | { kind: 'key_pair_id_alone'; token: string; fix: string }
  | { kind: 'region_alone'; token: string; fix: string }
  /** An id inside punctuation: `(i-abcd1234)`, `i-abcd1234.`. */
  | { kind: 'id_with_extras'; token: string; fix: string }
  /** `orOption`: the command, where a word may also be an option (`account`: account= too). */
  | { kind: 'not_an_id'; token: string; orOption: boolean; account?: true }
  /** `instanceIds`: neither ids nor a selector. */
  | { kind: 'missing'; instanceIds: boolean; keyPair: boolean }
  /** `count` unique ids, `given` before removing duplicates. */
  | { kind: 'too_many_ids'; count: number; given: number; limit: number }
  // The modal's fields.
  | { kind: 'option_in_instances'; token: string }
  | { kind: 'no_instances' }
  /** The picker modal: nothing picked and nothing pasted. */
  | { kind: 'nothing_picked' }
  /** The picker modal: no key pair chosen (or a hint chosen instead of one). */
  | { kind: 'key_pair_not_picked' }
  | { kind: 'key_pair_empty' }
  | { kind: 'key_pair_space'; token: string }
  | { kind: 'key_pair_prefixed'; token: string; prefix: 'key=' | 'key-id=' }
  | { kind: 'key_pair_id_case'; token: string; fix: string }
  | { kind: 'key_pair_id_shape'; token: string }
  // Fleet selectors (selectors.ts).
  /** `tag:` or `holding:` with nothing after it. */
  | { kind: 'selector_empty'; token: string; selector: 'tag' | 'holding' }
  /** `tag:env=`: `fix` selects any value of the key. */
  | { kind: 'tag_empty_value'; token: string; fix: string }
  | { kind: 'bad_tag'; token: string; part: 'key' | 'value'; limit: number }
  /** Not a key pair name, id or `none`; `fix` when only case or quotes are wrong. */
  | { kind: 'bad_holding'; token: string; fix?: string }
  /** The same tag key twice, or two `holding:`. */
  | { kind: 'selector_twice'; token: string; first: string }
  | { kind: 'too_many_tags'; count: number; limit: number }
  /** Instance ids and selectors in one request. */
  | { kind: 'ids_and_selectors'; id: string; selector: string }
  /** The form: instances picked or pasted, and a selector too. */
  | { kind: 'picked_and_selector' }
  /** `then=` with a value it does not take. */
  | { kind: 'bad_then'; token: string; accepted: readonly string[] }
  // The import command.
  | { kind: 'import_usage'; missing: 'name' | 'key' }
  | { kind: 'bad_public_key'; problem: PublicKeyProblem }
  // Several accounts (accounts.ts): an unknown name, none given where one is needed, or one the
  // channel may not use; and a region the chosen account does not allow.
  | AccountProblem;

/** `/attach-key import NAME PUBLIC-KEY [region=R]`, read and checked. */
export interface ImportCommand {
  kind: 'import';
  keyPairName: string;
  region: string;
  key: PublicKey;
  /** `account=NAME`, as typed (the service applies the account rules). */
  account?: string;
}

/** The first problem, and how many other words had one too. */
export interface ParseFailure {
  problem: ParseProblem;
  more: number;
}

/** What the parser fixed or assumed, told to the requester with the accepted request. */
export type ParseNote =
  | { kind: 'duplicates_removed'; count: number }
  | { kind: 'key_id_wins'; keyPairId: string; keyPairName: string }
  | { kind: 'key_read_as_name'; keyPairName: string };

export interface ParseOptions {
  defaultRegion: string;
  maxInstances: number;
  knownRegions?: readonly string[];
  /**
   * ACCOUNTS_FILE: the configured accounts. The account rules apply (accounts.ts) and the draft
   * names its account; absent (one account, `default`), drafts carry none.
   */
  accounts?: readonly AccountView[];
  /** Where the request is made: a channel mapped to an account uses it. */
  channelId?: string;
}
