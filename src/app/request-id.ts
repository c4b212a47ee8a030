import { randomBytes } from 'node:crypto';

// Request ids for production (tests inject their own): random, so a resumed request never
// collides with a new one, and readable enough to type.

/** Short enough to type in `/attach-key status`, random enough never to collide in practice. */
export function newRequestId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `ak-${id}`;
}
