import type { Preview, RequestDraft, Selection } from '../domain/request.js';
import { ecsOf, type ServiceContext } from './context.js';
import { type InstancesPart, readPreview } from './preview.js';
import { resolveSelection, type SelectionRefusal } from './selection.js';

// What an attach draft becomes before it is stored: its instances (typed, or resolved from its
// selectors, issue 21) and the preview of what approving changes. Refused here, before anything is
// stored: an unknown key pair, a selection that matches nothing, too much, or cannot be read. (Too
// many typed ids are refused before, by submit: without a read.)

export type DraftRefusal =
  | { reason: 'too_many_instances'; count: number; limit: number }
  | { reason: 'unknown_key_pair'; region: string; keyPair: string; suggestions: string[] }
  | SelectionRefusal;

export type ReadDraft =
  | { ok: true; instanceIds: string[]; preview: Preview; selection?: Selection }
  | { ok: false; refusal: DraftRefusal };

const NOTHING_READ: InstancesPart = { instances: [], unread: [], problems: [] };

export async function readDraft(ctx: ServiceContext, draft: RequestDraft): Promise<ReadDraft> {
  const { settings, logger } = ctx.deps;
  const ecs = ecsOf(ctx.deps, draft.account);
  const limit = settings.maxInstancesPerRequest;
  const selectors = draft.selectors ?? [];
  if (!selectors.length) {
    const count = new Set(draft.instanceIds).size;
    if (count > limit)
      return { ok: false, refusal: { reason: 'too_many_instances', count, limit } };
    const read = await readPreview(ecs, draft, ctx.now);
    if (!read.ok)
      return { ok: false, refusal: { reason: 'unknown_key_pair', ...read.unknownKeyPair } };
    return { ok: true, instanceIds: [...new Set(draft.instanceIds)], preview: read.preview };
  }

  // The key pair is checked while the selection pages: the instances it finds are the preview's.
  const selecting = resolveSelection(ecs, { selectors, region: draft.region, limit }, ctx.now);
  const read = await readPreview(
    ecs,
    { ...draft, instanceIds: [] },
    ctx.now,
    selecting.then((s) =>
      s.ok ? { instances: s.instances, unread: [], problems: [] } : NOTHING_READ,
    ),
  );
  if (!read.ok)
    return { ok: false, refusal: { reason: 'unknown_key_pair', ...read.unknownKeyPair } };
  const selected = await selecting;
  if (!selected.ok) return { ok: false, refusal: selected.refusal };
  logger.debug('selection resolved', {
    region: draft.region,
    instances: selected.instances.length,
    pages: selected.pages,
    nearMisses: selected.nearMisses,
  });
  return {
    ok: true,
    instanceIds: selected.instances.map((i) => i.instanceId),
    preview: { ...read.preview, readAt: selected.readAt },
    selection: { selectors, readAt: selected.readAt },
  };
}
