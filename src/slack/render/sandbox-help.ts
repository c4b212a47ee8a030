// The sandbox's facts (src/sandbox/fleet.ts) in the reader's language, after `/attach-key help`
// in sandbox mode. Plain text: renderUsage escapes it.

import type { SandboxEffect, SandboxFacts } from '../../sandbox/fleet.js';
import type { Catalogue } from '../i18n/en.js';

export function describeSandbox(facts: SandboxFacts, t: Catalogue): string {
  const s = t.sandbox;
  const { missing, flaky, slow, importable } = facts.keyPairWords;
  return [
    s.intro,
    s.fleet(facts.fleet.map(({ region, names }) => s.fleetIn(region, names))),
    s.fleetNotes(facts.legacyKeyPair, facts.stopped),
    s.wordsHeading,
    ...facts.instanceWords.map(({ word, effect }) => s.word(word, describeEffect(effect, t))),
    s.otherwise(facts.plainInstance),
    s.restart,
    s.keyPairsHeading,
    s.keyPairMissing(missing.word, missing.code),
    s.keyPairId(facts.keyPairIdPrefix, missing.word),
    s.keyPairFlaky(flaky.word, flaky.status, flaky.code),
    s.keyPairSlow(slow.word, slow.seconds),
    s.keyPairImportable(importable.word),
    s.listed(facts.keyPairs.map((k) => s.keyPair(k.keyPairName, k.keyPairId))),
  ].join('\n');
}

// The catalogue types each effect by its own kind; called through the union, one cast says so.
function describeEffect(effect: SandboxEffect, t: Catalogue): string {
  return (t.sandbox.effect[effect.kind] as (e: SandboxEffect) => string)(effect);
}
