// The sandbox's facts (sandbox-ecs-fleet.ts) in the reader's language, after `/attach-key help`
// in sandbox mode. Plain text: renderUsage escapes it.

import type { SandboxEffect, SandboxFacts } from '../../volcengine/sandbox-ecs-fleet.js';
import type { Catalogue } from '../i18n/en.js';

export function describeSandbox(facts: SandboxFacts, t: Catalogue): string {
  const s = t.sandbox;
  const { missing, flaky, slow } = facts.keyPairWords;
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
    s.listed(facts.keyPairs.map((k) => s.keyPair(k.keyPairName, k.keyPairId))),
  ].join('\n');
}

function describeEffect(effect: SandboxEffect, t: Catalogue): string {
  const e = t.sandbox.effect;
  switch (effect.kind) {
    case 'absent':
      return e.absent(effect);
    case 'windows':
      return e.windows(effect);
    case 'no_agent':
      return e.no_agent(effect);
    case 'not_ready':
      return e.not_ready(effect);
    case 'stopped':
      return e.stopped(effect);
    case 'throttled':
      return e.throttled(effect);
  }
}
