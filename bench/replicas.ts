import { type AckKind, type AckLevel, type AckRow, runAckBenchmark } from './ack.js';
import type { Rig } from './bot-env.js';
import { availableStores } from './bot-run.js';
import { type Child, startChild } from './children.js';
import type { ServerCall } from './host-protocol.js';

// Replicas (issue 14): two bot processes on one PostgreSQL database, the ack load split between
// them round robin, as a load balancer would. The floor is two bare Bolt processes under the
// same split: the same topology without the bot's work, so the ratio is the bot's alone.

export interface ReplicaRow extends AckRow {
  replicas: number;
  store: 'postgres';
}

export async function runReplicasBenchmark(
  rig: Rig,
  serverHostPath: string,
  options: { replicas: number; rounds: number; levels: readonly AckLevel[]; kinds: AckKind[] },
): Promise<ReplicaRow[]> {
  if (!(await availableStores(['postgres'])).includes('postgres')) return [];
  const more: Child<ServerCall>[] = [];
  for (let i = 1; i < options.replicas; i++) more.push(startChild(serverHostPath));
  try {
    const rows = await runAckBenchmark(rig, {
      rounds: options.rounds,
      levels: options.levels,
      kinds: options.kinds,
      topology: { hosts: [rig.server, ...more], store: 'postgres' },
    });
    return rows.map((row) => ({ ...row, replicas: options.replicas, store: 'postgres' }));
  } finally {
    for (const host of more) await host.close();
  }
}
