import { expect } from 'vitest';
import { parsePublicKey } from '../../src/domain/public-key.js';
import { type Harness, messageText, startHarness, VOLC_CREDENTIALS } from './bot-harness.js';
import { startFakeEcsApi } from './fake-ecs-api.js';
import { makeTestKey } from './ssh-keys.js';

// The apply-now tests' stage (issue 22): the loopback fake ECS with old-key bound to one instance
// (whose authorized_keys holds it beside somebody else's), a plain and a stopped instance, and the
// bot knowing both public keys, imported as a user would.

export const NEW = makeTestKey('ed25519', 'new@ops');
export const OLD = makeTestKey('ecdsa-256', 'old@ops');
export const OTHER = makeTestKey('ed25519', 'somebody-else');

export function fingerprintOf(line: string): string {
  const parsed = parsePublicKey(line);
  if (!parsed.ok) throw new Error('not a public key');
  return parsed.key.fingerprint;
}

export async function startApplyStage(): Promise<Harness> {
  const ecs = await startFakeEcsApi({
    credentials: VOLC_CREDENTIALS,
    strictKeyPairs: true,
    // old-key exists with OLD's fingerprint: importing it only records its public key.
    keyPairs: [
      { keyPairId: 'kp-old0000001', keyPairName: 'old-key', fingerprint: fingerprintOf(OLD.line) },
    ],
    instances: [
      { instanceId: 'i-rotate001', keyPairId: 'kp-old0000001', keyPairName: 'old-key' },
      { instanceId: 'i-plain0001' },
      { instanceId: 'i-stop00001', status: 'STOPPED' },
    ],
  });
  const h = await startHarness({ ecs });
  for (const text of [`import old-key ${OLD.line}`, `import new-key ${NEW.line}`]) {
    const { replyId } = await h.command(text);
    expect(String((await h.responseTo(replyId)).text)).toMatch(/Imported|already exists/);
  }
  h.ecs.simulator.setAuthorizedKeys('i-rotate001', 'root', `${OTHER.line}\n${OLD.line}\n`);
  return h;
}

/** The thread's text once it includes `includes`. */
export function threadText(h: Harness, ts: string, includes: string): Promise<string> {
  return h.slack.waitFor(() => {
    const text = h.threadPosts(ts).map(messageText).join('\n');
    return text.includes(includes) ? text : undefined;
  }, includes);
}
