// The import command's private answers, and the warning for a private key pasted by mistake
// (which quotes nothing of what was pasted).

import type { ImportResult } from '../../service/import-key.js';
import type { Catalogue } from '../i18n/en.js';
import { messageReply } from './blocks.js';
import { codeSpan, escapeMrkdwn } from './escape.js';
import type { SlackReply } from './limits.js';
import { type Refusal, renderRefusal } from './refusals.js';

export function renderImportResult(
  result: ImportResult | { ok: false; refusal: Refusal },
  t: Catalogue,
): SlackReply {
  const k = t.keys;
  if (result.ok) {
    const args = [
      codeSpan(result.keyPairName, 64),
      codeSpan(result.keyPairId, 64),
      codeSpan(result.region, 60),
      codeSpan(result.fingerprint, 60),
    ] as const;
    const text = result.outcome === 'imported' ? k.imported(...args) : k.recorded(...args);
    return messageReply(`${text} ${k.auditId(codeSpan(result.importId, 80))}`);
  }
  const { refusal } = result;
  const audit =
    'importId' in result && result.importId ? ` ${k.auditId(codeSpan(result.importId, 80))}` : '';
  switch (refusal.reason) {
    case 'fingerprint_mismatch':
      return messageReply(
        k.refused.fingerprint_mismatch(
          codeSpan(refusal.keyPairName, 64),
          codeSpan(refusal.keyPairId, 64),
          codeSpan(refusal.existing, 60),
          codeSpan(refusal.given, 60),
        ) + audit,
      );
    case 'import_name_invalid':
      return messageReply(k.refused.import_name_invalid(codeSpan(refusal.keyPairName, 64)) + audit);
    case 'import_call_failed': {
      const why = t.explain(refusal.code, refusal.message, `ecs:${refusal.action}`);
      return messageReply(
        k.refused.import_call_failed(
          refusal.action,
          escapeMrkdwn(refusal.code),
          escapeMrkdwn(why),
        ) + audit,
      );
    }
    case 'import_fingerprint_differs':
      return messageReply(
        k.refused.import_fingerprint_differs(
          codeSpan(refusal.keyPairName, 64),
          codeSpan(refusal.keyPairId, 64),
          codeSpan(refusal.api, 60),
          codeSpan(refusal.ours, 60),
        ) + audit,
      );
    default:
      return renderRefusal(refusal, t);
  }
}

/** The loud warning for a pasted private key: it names nothing of what was pasted. */
export function renderPrivateKeyWarning(t: Catalogue): SlackReply {
  return messageReply(t.keys.privateKey);
}
