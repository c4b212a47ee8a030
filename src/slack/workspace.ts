// Which workspace a command or click comes from (issue 18). In a Slack Connect channel people of
// other organisations can type the command and click the buttons; they may ask or approve only
// when REQUESTER_USER_IDS / the approver list names them by id. Payloads say where the user
// belongs: a command's `team_id`, an interaction's `user.team_id` (else `team.id`).

/** The workspace the bot is installed in (auth.test). */
export interface HomeWorkspace {
  teamId?: string;
  /** An Enterprise Grid organisation: its other workspaces are not "another workspace". */
  enterpriseId?: string;
}

interface Origin {
  teamId?: string;
  enterpriseId?: string;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** Where a slash command's user belongs. */
export function commandOrigin(command: unknown): Origin {
  return compact(text(field(command, 'team_id')), text(field(command, 'enterprise_id')));
}

/** Where the user of an interaction payload (click, options request, view submission) belongs. */
export function interactionOrigin(body: unknown): Origin {
  const user = field(body, 'user');
  const teamId = text(field(user, 'team_id')) ?? text(field(field(body, 'team'), 'id'));
  const enterpriseId =
    text(field(field(body, 'enterprise'), 'id')) ?? text(field(user, 'enterprise_id'));
  return compact(teamId, enterpriseId);
}

/**
 * Another workspace than the bot's, and not one of the same Enterprise Grid organisation. When
 * either side is unknown there is nothing to compare: not external.
 */
export function isExternal(home: HomeWorkspace, origin: Origin): boolean {
  if (!home.teamId || !origin.teamId || origin.teamId === home.teamId) return false;
  return !(home.enterpriseId && origin.enterpriseId === home.enterpriseId);
}

function compact(teamId: string | undefined, enterpriseId: string | undefined): Origin {
  return { ...(teamId ? { teamId } : {}), ...(enterpriseId ? { enterpriseId } : {}) };
}
