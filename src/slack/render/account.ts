import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { codeSpan } from './escape.js';

// ACCOUNTS_FILE: whose cloud a request acts on, as the card, the thread and status show it.
// Requests of a single-account installation name no account, and show none.

/** `prod` · `2100000001`: the account's name, and its id when known. */
export function accountText(request: Pick<MutationRequest, 'account' | 'accountId'>): string {
  const name = codeSpan(request.account ?? 'default', 40);
  return request.accountId ? `${name} · ${codeSpan(request.accountId, 30)}` : name;
}

/** `*Account*: `prod` · `2100000001``, or '' for a request that names no account. */
export function accountLine(
  request: Pick<MutationRequest, 'account' | 'accountId'>,
  t: Catalogue,
): string {
  return request.account ? `*${t.card.fields.account}*: ${accountText(request)}` : '';
}
