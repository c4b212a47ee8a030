// English: `/attach-key import` answers, and the warning for a private key pasted by mistake.
// Arguments arrive as mrkdwn (code spans).

const NOTHING = 'Nothing was recorded.';

export const enKeys = {
  imported: (name: string, id: string, region: string, fingerprint: string) =>
    `:key: Imported ${name} (${id}) into ${region}. Volcengine's fingerprint ${fingerprint} matches the key you gave. The bot keeps its public key, so the results of a binding can offer *Apply now* (no restart).`,
  recorded: (name: string, id: string, region: string, fingerprint: string) =>
    `:key: ${name} (${id}) already exists in ${region} with the same fingerprint, ${fingerprint}: its public key is now recorded, so *Apply now* can use it. Nothing changed in Volcengine.`,
  auditId: (id: string) => `(audit id ${id})`,
  refused: {
    fingerprint_mismatch: (name: string, id: string, existing: string, given: string) =>
      `:no_entry: ${name} (${id}) already exists with another key: its fingerprint is ${existing}, the key you gave has ${given}. ${NOTHING} Check that you pasted the right .pub file, or import it under a new name.`,
    import_name_invalid: (name: string) =>
      `:no_entry: There is no key pair ${name} yet, and Volcengine cannot create one with that name: names are 2–64 characters, letters, digits and "-", in parts joined by dots. ${NOTHING}`,
    import_call_failed: (action: string, code: string, why: string) =>
      `:x: ${action} failed: *${code}* — ${why}. ${NOTHING}`,
    import_fingerprint_differs: (name: string, id: string, api: string, ours: string) =>
      `:warning: Volcengine imported ${name} (${id}) but reports fingerprint ${api}, where the key you gave has ${ours}. ${NOTHING} Check the key pair in the console before using it.`,
  },
  privateKey: [
    ':rotating_light: *That was a PRIVATE key. Never paste one into Slack.*',
    'The bot refused it: it did not store, log, echo or send it anywhere. But it is now in Slack (slash command text can be kept in Slack’s logs and exports), so treat it as leaked:',
    '1. Make a new key pair on your own machine: `ssh-keygen -t ed25519`.',
    '2. Import only the *public* half, the one line in the `.pub` file: `/attach-key import NAME ssh-ed25519 AAAA…`.',
    '3. Bind the new key pair where the old one was used, and remove the old public key from every `authorized_keys` it is in.',
  ].join('\n'),
};
