// Volcengine ECS region ids the bot accepts in `region=` and offers in the modal's select.
// The first six are the public ECS regions named in the project brief. ap-southeast-2 is a region
// id the official SDKs route to a regional endpoint (shared/docs/volcengine.md §3.1). The special
// purpose regions in that same list (cn-beijing-autodriving, cn-shanghai-autodriving,
// cn-beijing-selfdrive) are left out on purpose: a deployment that needs one sets it as VOLC_REGION,
// and the configured default region is always accepted (see `knownRegionsWith`).
export const KNOWN_REGIONS = [
  'cn-beijing',
  'cn-shanghai',
  'cn-guangzhou',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
] as const;

export type KnownRegion = (typeof KNOWN_REGIONS)[number];

/** Exact, case-sensitive: region ids are lower-case; callers lower-case user input first. */
export function isKnownRegion(region: string, known: readonly string[] = KNOWN_REGIONS): boolean {
  return known.includes(region);
}

/**
 * The regions a request may use: the known list plus the configured default (first when it is not
 * in the list). The parser uses this, so the modal's select should offer the same set.
 */
export function knownRegionsWith(
  defaultRegion: string,
  known: readonly string[] = KNOWN_REGIONS,
): readonly string[] {
  return known.includes(defaultRegion) ? known : [defaultRegion, ...known];
}
