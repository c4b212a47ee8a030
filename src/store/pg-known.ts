import type { MutationRequest } from '../domain/request.js';
import { literal, sql } from './pg-connection.js';
import { REQUEST_DATA, type Row, STEPS_JSON, toRequest } from './pg-rows.js';

// What this process last read or wrote of each request, by version: the xmin of its header row
// and of each step row, which any write of any of them changes, whoever makes it. A read that
// names the version it knows gets no data back when nothing changed since: a running
// 5,000-instance request is about 2 MB of JSON to send and parse, and its execution reads it for
// every journal write (the locking read) and every card update.

const LIMIT = 32;

export interface VersionedRow {
  version: string;
  data: Row['data'] | null;
  steps: Row['steps'] | null;
}

export interface Known {
  version: string;
  request: MutationRequest;
}

const VERSION = `r.xmin::text || ':' || coalesce((SELECT string_agg(s.xmin::text, ',' ORDER BY s.idx)
  FROM request_steps s WHERE s.request_id = r.id), '')`;

/** One request with its version; data and steps NULL when the version is `known`. */
export function selectVersioned(id: string, known: Known | undefined, lock: boolean): string {
  const same = sql`v.version = ${known?.version ?? null}`;
  return `SELECT v.version,
    CASE WHEN ${same} THEN NULL ELSE ${REQUEST_DATA} END AS data,
    CASE WHEN ${same} THEN NULL ELSE ${STEPS_JSON} END AS steps
    FROM requests r CROSS JOIN LATERAL (SELECT ${VERSION} AS version) v
    WHERE r.id = ${literal(id)}${lock ? ' FOR UPDATE OF r' : ''}`;
}

/** The version of a request as this transaction sees it (after its writes: the new one). */
export const selectVersion = (id: string) =>
  `SELECT ${VERSION} AS version FROM requests r WHERE r.id = ${literal(id)}`;

export function createKnownRequests() {
  // Least recently used first.
  const entries = new Map<string, Known>();
  const writes = new Map<string, Promise<void>>();
  const remember = (id: string, version: string, request: MutationRequest) => {
    entries.delete(id);
    entries.set(id, { version, request });
    if (entries.size > LIMIT) entries.delete(entries.keys().next().value as string);
  };
  return {
    lookup: (id: string) => entries.get(id),
    remember,
    forget: (id: string) => void entries.delete(id),
    /**
     * An update of `id` in flight. A read of it meanwhile waits for it: the row's version would
     * otherwise be one this process writes but does not know yet, and the read would fetch it all.
     */
    track<T>(id: string, work: Promise<T>): Promise<T> {
      const done = work.then(
        () => {},
        () => {},
      );
      writes.set(id, done);
      void done.then(() => {
        if (writes.get(id) === done) writes.delete(id);
      });
      return work;
    },
    settled: (id: string): Promise<void> => writes.get(id) ?? Promise.resolve(),
    /** The request a versioned row stands for; `asked` is what the read was asked with. */
    read(id: string, row: VersionedRow, asked: Known | undefined): MutationRequest {
      if (row.data === null || row.steps === null) {
        if (asked?.version !== row.version)
          throw new Error(`request ${id}: no data for its version`);
        remember(id, row.version, asked.request);
        return asked.request;
      }
      const request = toRequest({ data: row.data, steps: row.steps });
      remember(id, row.version, request);
      return request;
    },
  };
}
