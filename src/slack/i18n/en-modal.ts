import { num, plural } from './en-words.js';

// English: the request modal (opened by /attach-key, the global shortcut and "Ask again for the
// failed…"), and what its pickers answer while one types. Option texts are plain text, at most 75
// characters with the values in them: keep them short.

export const enModal = {
  title: 'Attach key pair',
  titleSandbox: 'Attach key (sandbox)',
  submit: 'Ask for approval',
  close: 'Cancel',
  sandbox: ':test_tube: *SANDBOX* — simulated ECS: nothing changes on real instances.',
  intro:
    'An approver has to say yes before anything changes. Binding a key pair replaces one bound earlier in the console, turns off password login, and takes effect only after a restart.',
  /** The modal opened from "Ask again for the failed…". */
  retryIntro: (n: number, requestId: string) =>
    `Asking again for the ${plural(n, 'instance')} that did not get the key pair in request ${requestId}. This is a new request: it needs its own approval.`,
  /** Failed instances beyond what the form can hold. */
  retryCut: (n: number) =>
    `${plural(n, 'more instance')} did not fit in the form; ask for them with the command.`,
  channel: {
    label: 'Post the request in',
    hint: 'The approval card goes to this channel; the bot must be a member of it.',
  },
  account: {
    label: 'Volcengine account',
    placeholder: 'Choose an account',
    hint: 'Changing the account clears the instances and the key pair picked.',
  },
  region: {
    label: 'Region',
    placeholder: 'Choose a region',
    hint: 'Changing the region clears the instances and the key pair picked.',
  },
  instances: {
    label: 'Instances',
    placeholder: 'Search by name, or an id starting with i-',
    hint: '⛔ marks an instance that cannot take a key pair now: Windows, or not Running or Stopped.',
  },
  instanceIds: {
    label: 'Or paste instance ids',
    hint: 'Separate ids with spaces, commas or new lines. They are added to the ones picked above.',
    placeholder: 'i-abc123def456\ni-0123456789ab',
  },
  keyPair: {
    label: 'Key pair',
    placeholder: 'Search key pairs by name',
  },
  errors: {
    /** The pickers still searched another region when the form was sent. */
    regionChanged: (picked: string, region: string) =>
      `Picked in ${picked}, but the region is now ${region}: pick again.`,
    noChannel: 'Choose the channel for the approval card.',
  },
  /** Parts of an instance option: name · id · status · key pair. */
  option: {
    keyPair: (name: string) => `key ${name}`,
    noKeyPair: 'no key pair',
    fingerprint: (short: string) => `fp ${short}`,
  },
  /** Shown as the first option when the answer is not the whole story. */
  hint: {
    slow: '⏳ ECS is slow to answer: showing what is known; type again',
    refused: (code: string) => `⚠️ ECS refused the search (${code})`,
    busy: '⏳ Many searches at once: type again in a moment',
    listing: (listed: number) => `⏳ Still listing this region: ${num(listed)} instances so far`,
    truncated: (listed: number) =>
      `Only the first ${num(listed)} instances are searched by id prefix`,
    more: (shown: number) => `The first ${num(shown)} matches: type more to narrow`,
  },
  /** Ephemeral replies to the "Ask again" button. */
  retryUnknown: (requestId: string) =>
    `:information_source: Request ${requestId} is no longer stored; type /attach-key to ask again.`,
  retryNothing: ':information_source: Every instance of this request got the key pair.',
};
