import type { SandboxEffect } from '../../sandbox/fleet.js';

// English: what the sandbox does, after `/attach-key help` in sandbox mode. Plain text (the
// renderer escapes it); the facts (fleet, words, codes) come from src/sandbox/fleet.ts.

type EffectTexts = {
  [K in SandboxEffect['kind']]: (e: Extract<SandboxEffect, { kind: K }>) => string;
};

const effect: EffectTexts = {
  absent: (e) => `does not exist: ${e.code}`,
  windows: (e) => `Windows: ${e.code}`,
  no_agent: (e) => `no password agent: ${e.code}`,
  not_ready: (e) => `${e.status}: ${e.code}`,
  stopped: (e) => `${e.status}: binds, but RebootInstances answers ${e.code}`,
  throttled: (e) => `${e.code} on every change`,
  no_assistant: (e) =>
    `no Cloud Assistant agent: apply now leaves it out, ${e.code} (restart instead)`,
  script_fails: (e) => `apply now's script fails there: ${e.code}, exit code ${e.exitCode}`,
};

export const enSandbox = {
  intro: 'Sandbox mode (VOLC_SANDBOX=true): ECS calls are simulated, nothing is really bound.',
  /** `regions`: one `fleetIn` each. */
  fleet: (regions: readonly string[]) => `Fleet ${regions.join('; ')}.`,
  fleetIn: (region: string, names: readonly string[]) => `in ${region}: ${names.join(', ')}`,
  fleetNotes: (legacyKeyPair: string, stopped: readonly string[]) =>
    `Some already carry ${legacyKeyPair}; ${stopped.join(' and ')} ${stopped.length === 1 ? 'is' : 'are'} STOPPED.`,
  wordsHeading:
    'Any other instance id exists once named; its words decide (first matching word wins):',
  word: (word: string, effect: string) => `  "${word}" -> ${effect}`,
  effect,
  otherwise: (example: string) => `  anything else (e.g. ${example}) -> RUNNING Linux, ok`,
  restart:
    'A restart (RebootInstances) keeps an instance REBOOTING for a few seconds, then RUNNING.',
  keyPairsHeading: 'Key pairs (a KeyPairId wins over a name):',
  keyPairMissing: (word: string, code: string) =>
    `  any name works, except one containing "${word}" -> ${code}`,
  keyPairId: (prefix: string, word: string) =>
    `  an id must start with "${prefix}" and not contain "${word}"`,
  keyPairFlaky: (word: string, status: number, code: string) =>
    `  "${word}" -> the first attempt fails with ${status} ${code}, the retry succeeds`,
  keyPairSlow: (word: string, seconds: number) =>
    `  "${word}" -> every attach or detach takes ${seconds} s longer`,
  keyPairImportable: (word: string) =>
    `  "${word}" -> does not exist until you import it (/attach-key import NAME ssh-ed25519 AAAA…); apply now needs a key the bot has imported or recorded`,
  /** `keyPairs`: one `keyPair` each. */
  listed: (keyPairs: readonly string[]) => `Listed key pairs: ${keyPairs.join(', ')}`,
  keyPair: (name: string, id: string) => `${name} (${id})`,
};
