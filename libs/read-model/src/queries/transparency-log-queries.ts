import {
  consistencyPlan,
  HashAt,
  inclusionPlan,
  proofFromPlan,
  ProofPlan,
  rootNodes,
  treeRoot,
} from '@accord/tlog';
import { Kysely } from 'kysely';
import { readNodes, storedTreeSize, TransparencyLogTables } from '../projections/transparency-log.projection';
import { ReadStore } from '../store/read-store';
import { inChunks } from '../projection';

export interface LogLeaf {
  leafIndex: number;
  eventId: string;
  streamId: string;
  revision: number;
  /** The event's chain hash (hex): the leaf's input. */
  hash: string;
}

export interface SignedCheckpoint {
  /** Its revision in the `log-checkpoints` stream. */
  revision: number;
  treeSize: number;
  /** Base64, as the checkpoint text has it. */
  rootHash: string;
  note: string;
  /** The chain hash of the event that recorded it: the next checkpoint's event links to it. */
  eventHash: string;
}

export interface Cosignature {
  witness: string;
  country: string;
  /** The note signature line. */
  cosignature: string;
  timestamp: number;
}

/** The largest tree a proof or a leaf listing may name: the leaves the projection holds. */
export class TreeSizeError extends Error {
  constructor(
    readonly asked: number,
    readonly size: number,
  ) {
    super(`The tree has ${size} leaves; ${asked} is beyond it`);
    this.name = 'TreeSizeError';
  }
}

/** What the transparency-log projection answers: leaves, proofs in O(log n) reads, checkpoints, cosignatures. */
export class TransparencyLogQueries {
  private readonly db: Kysely<TransparencyLogTables>;

  constructor(readStore: ReadStore) {
    this.db = readStore.reader;
  }

  treeSize(): Promise<number> {
    return storedTreeSize(this.db, 'log_leaves');
  }

  async leaves(start: number, end: number): Promise<LogLeaf[]> {
    const rows = await this.db
      .selectFrom('log_leaves')
      .selectAll()
      .where('leaf_index', '>=', start)
      .where('leaf_index', '<', end)
      .orderBy('leaf_index')
      .execute();
    return rows.map(leafOf);
  }

  async leafOfEvent(eventId: string): Promise<LogLeaf | null> {
    const row = await this.db
      .selectFrom('log_leaves')
      .selectAll()
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row ? leafOf(row) : null;
  }

  /** The leaves of these events, in the log's order: those the projection holds so far. */
  async leavesOfEvents(eventIds: readonly string[]): Promise<LogLeaf[]> {
    const leaves: LogLeaf[] = [];
    await inChunks(eventIds, async (chunk) => {
      const rows = await this.db
        .selectFrom('log_leaves')
        .selectAll()
        .where('event_id', 'in', chunk)
        .execute();
      leaves.push(...rows.map(leafOf));
    });
    return leaves.sort((a, b) => a.leafIndex - b.leafIndex);
  }

  /** RFC 9162 §2.1.3: the audit path of leaf `index` in the tree of `size` leaves. */
  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    await this.requireSize(size);
    if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
    return this.assemble(inclusionPlan(index, size));
  }

  /** RFC 9162 §2.1.4: the proof that the tree of `from` leaves is a prefix of the tree of `to`. */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    await this.requireSize(to);
    if (from > to) throw new RangeError(`from (${from}) is after to (${to})`);
    return this.assemble(consistencyPlan(from, to));
  }

  /** MTH of the first `size` leaves. */
  async root(size: number): Promise<Buffer> {
    await this.requireSize(size);
    return treeRoot(size, await this.hashes(rootNodes(size)));
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | null> {
    const row = await this.db
      .selectFrom('log_checkpoints')
      .selectAll()
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row
      ? {
          revision: Number(row.revision),
          treeSize: Number(row.tree_size),
          rootHash: row.root_hash,
          note: row.note,
          eventHash: row.event_hash,
        }
      : null;
  }

  async cosignatures(treeSize: number, rootHash: string): Promise<Cosignature[]> {
    const rows = await this.db
      .selectFrom('log_cosignatures')
      .selectAll()
      .where('tree_size', '=', treeSize)
      .where('root_hash', '=', rootHash)
      .orderBy('country')
      .orderBy('witness')
      .execute();
    return rows.map((row) => ({
      witness: row.witness,
      country: row.country,
      cosignature: row.cosignature,
      timestamp: Number(row.cosigned_at),
    }));
  }

  private async requireSize(size: number): Promise<void> {
    const stored = await this.treeSize();
    if (size > stored) throw new TreeSizeError(size, stored);
  }

  private async assemble(plan: ProofPlan): Promise<Buffer[]> {
    return proofFromPlan(plan, await this.hashes(plan.flat()));
  }

  private hashes(nodes: Parameters<typeof readNodes>[2]): Promise<HashAt> {
    return readNodes(this.db, { log_leaves: 'log_leaves', log_nodes: 'log_nodes' }, nodes);
  }
}

function leafOf(row: TransparencyLogTables['log_leaves']): LogLeaf {
  return {
    leafIndex: Number(row.leaf_index),
    eventId: row.event_id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    hash: row.hash,
  };
}
