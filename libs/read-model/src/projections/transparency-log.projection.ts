import {
  CheckpointCosigned,
  CheckpointSigned,
  initiativeIdOf,
  LOG_CHECKPOINTS_STREAM,
  isLogStream,
} from '@accord/domain';
import { StoredEvent } from '@accord/event-store';
import { CompactRange, leafHash, leafInputOfChainHash, NodeId, nodeHash, rootNodes } from '@accord/tlog';
import { AnyDb, insertRows, positionKeyType, Projection, TableNames } from '../projection';

export type TransparencyLogTable = 'log_leaves' | 'log_nodes' | 'log_checkpoints' | 'log_cosignatures';

/** The row shapes, as the database holds them. Hashes are lower-case hex. */
export interface TransparencyLogTables {
  /** One row per leaf: every initiative event, in the global log's order. */
  log_leaves: { leaf_index: number; event_id: string; stream_id: string; revision: number; hash: string };
  /**
   * The perfect subtrees of even levels from 2 (see isStoredLevel): once complete their hash never changes, and every
   * proof reads O(log n) of them. Level 0 is the leaf hash of `log_leaves.hash`, not stored twice.
   */
  log_nodes: { level: number; node_index: number; hash: string };
  /** Every checkpoint the log signed, by its revision in the `log-checkpoints` stream. */
  log_checkpoints: {
    revision: number;
    tree_size: number;
    root_hash: string;
    note: string;
    event_hash: string;
  };
  log_cosignatures: {
    tree_size: number;
    root_hash: string;
    witness: string;
    country: string;
    cosignature: string;
    cosigned_at: number;
  };
}

/**
 * The transparency log (docs/trust.md §4): the RFC 9162 Merkle tree whose leaves are the initiative events' chain
 * hashes in global order, stored as its perfect subtrees; the checkpoints the log signed; and the witnesses'
 * cosignatures of them. Deterministic from the event store, so a rebuild yields the same tree.
 */
export const transparencyLogProjection: Projection<TransparencyLogTable> = {
  name: 'transparency-log',
  // 2: no index of the leaves by stream; on SQLite, the leaf index is the rowid.
  version: 2,
  tables: ['log_leaves', 'log_nodes', 'log_checkpoints', 'log_cosignatures'],

  async createTables(db, names, tag, rebuilding) {
    await db.schema
      .createTable(names.log_leaves)
      .ifNotExists()
      .addColumn('leaf_index', positionKeyType(db), (column) => column.primaryKey())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .addColumn('stream_id', 'text', (column) => column.notNull())
      .addColumn('revision', 'integer', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull())
      .execute();
    // A rebuild appends a million leaves in order of the log: looked up by event, they are indexed once at its end.
    if (!rebuilding) await createLeafIndexes(db, names, tag);
    await db.schema
      .createTable(names.log_nodes)
      .ifNotExists()
      .addColumn('level', 'integer', (column) => column.notNull())
      .addColumn('node_index', 'bigint', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint(`log_nodes_pk_${tag}`, ['level', 'node_index'])
      .execute();
    await db.schema
      .createTable(names.log_checkpoints)
      .ifNotExists()
      .addColumn('revision', 'integer', (column) => column.primaryKey())
      .addColumn('tree_size', 'bigint', (column) => column.notNull())
      .addColumn('root_hash', 'text', (column) => column.notNull())
      .addColumn('note', 'text', (column) => column.notNull())
      .addColumn('event_hash', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable(names.log_cosignatures)
      .ifNotExists()
      .addColumn('tree_size', 'bigint', (column) => column.notNull())
      .addColumn('root_hash', 'text', (column) => column.notNull())
      .addColumn('witness', 'text', (column) => column.notNull())
      .addColumn('country', 'text', (column) => column.notNull())
      .addColumn('cosignature', 'text', (column) => column.notNull())
      .addColumn('cosigned_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint(`log_cosignatures_pk_${tag}`, ['tree_size', 'root_hash', 'witness'])
      .execute();
  },

  async completeRebuild(db, names, tag) {
    await createLeafIndexes(db, names, tag);
  },

  async apply(db, names, events) {
    const leaves = events.filter((event) => initiativeIdOf(event.streamId) !== null);
    if (leaves.length > 0) await appendLeaves(db, names, leaves);
    const logEvents = events.filter((event) => isLogStream(event.streamId));
    if (logEvents.length > 0) await recordLogEvents(db, names, logEvents);
  },
};

/**
 * How the leaves are looked up: by event (an inclusion proof by eventId; a bundle's leaves, by the ids of its
 * events). One index: a second one, by stream, cost a tenth of the tree's share of a rebuild.
 */
async function createLeafIndexes(
  db: AnyDb,
  names: TableNames<TransparencyLogTable>,
  tag: string,
): Promise<void> {
  await db.schema
    .createIndex(`log_leaves_event_${tag}`)
    .ifNotExists()
    .on(names.log_leaves)
    .column('event_id')
    .execute();
}

async function appendLeaves(
  db: AnyDb,
  names: TableNames<TransparencyLogTable>,
  events: readonly StoredEvent[],
): Promise<void> {
  const size = await storedTreeSize(db, names.log_leaves);
  const range = CompactRange.load(size, await readNodes(db, names, rootNodes(size)));
  const leafRows: TransparencyLogTables['log_leaves'][] = [];
  const nodeRows: TransparencyLogTables['log_nodes'][] = [];
  for (const event of events) {
    leafRows.push({
      leaf_index: range.size,
      event_id: event.eventId,
      stream_id: event.streamId,
      revision: event.revision,
      hash: event.hash,
    });
    for (const node of range.append(leafInputOfChainHash(event.hash)))
      if (isStoredLevel(node.level))
        nodeRows.push({ level: node.level, node_index: node.index, hash: node.hash.toString('hex') });
  }
  await insertRows(db, names.log_leaves, leafRows);
  await insertRows(db, names.log_nodes, nodeRows);
}

async function recordLogEvents(
  db: AnyDb,
  names: TableNames<TransparencyLogTable>,
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    if (event.streamId === LOG_CHECKPOINTS_STREAM && event.type === 'CheckpointSigned') {
      const data = event.data as CheckpointSigned['data'];
      await db
        .insertInto(names.log_checkpoints)
        .values({
          revision: event.revision,
          tree_size: data.treeSize,
          root_hash: data.rootHash,
          note: data.note,
          event_hash: event.hash,
        })
        .execute();
    } else if (event.type === 'CheckpointCosigned') {
      const data = event.data as CheckpointCosigned['data'];
      await db
        .insertInto(names.log_cosignatures)
        .values({
          tree_size: data.treeSize,
          root_hash: data.rootHash,
          witness: data.witness,
          country: data.country,
          cosignature: data.cosignature,
          cosigned_at: data.timestamp,
        })
        .onConflict((conflict) => conflict.columns(['tree_size', 'root_hash', 'witness']).doNothing())
        .execute();
    }
  }
}

/**
 * Which levels of perfect subtrees are stored: the even ones from 2. Level 0 is in the leaves, and an odd level is
 * one hash of two stored children away, so a proof reads at most twice the rows while a rebuild writes a third as
 * many node rows as with every level stored.
 */
function isStoredLevel(level: number): boolean {
  return level >= 2 && level % 2 === 0;
}

/** The number of leaves: the next leaf's index. */
export async function storedTreeSize(db: AnyDb, leavesTable: string): Promise<number> {
  const row: { last: number | string | null } | undefined = await db
    .selectFrom(leavesTable)
    .select((eb) => eb.fn.max('leaf_index').as('last'))
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

/**
 * Reads these perfect subtrees' hashes in at most two queries (leaves and nodes), as a synchronous lookup for the
 * proof and range code of @accord/tlog. A node the store lacks throws: the tree is behind the size asked for.
 */
export async function readNodes(
  db: AnyDb,
  names: Pick<TableNames<TransparencyLogTable>, 'log_leaves' | 'log_nodes'>,
  nodes: readonly NodeId[],
): Promise<(level: number, index: number) => Buffer> {
  const hashes = new Map<string, Buffer>();
  const key = (level: number, index: number) => `${level} ${index}`;
  // An odd level is not stored: such a node is the hash of its two children, one level down, which are.
  const wanted = nodes.flatMap((node) =>
    isStoredLevel(node.level) || node.level === 0
      ? [node]
      : [
          { level: node.level - 1, index: 2 * node.index },
          { level: node.level - 1, index: 2 * node.index + 1 },
        ],
  );
  const leafIndexes = wanted.filter((node) => node.level === 0).map((node) => node.index);
  const inner = wanted.filter((node) => node.level > 0);
  if (leafIndexes.length > 0) {
    const rows: { leaf_index: number; hash: string }[] = await db
      .selectFrom(names.log_leaves)
      .select(['leaf_index', 'hash'])
      .where('leaf_index', 'in', leafIndexes)
      .execute();
    for (const row of rows)
      hashes.set(key(0, Number(row.leaf_index)), leafHash(leafInputOfChainHash(row.hash)));
  }
  if (inner.length > 0) {
    const rows: { level: number; node_index: number; hash: string }[] = await db
      .selectFrom(names.log_nodes)
      .select(['level', 'node_index', 'hash'])
      .where((eb) =>
        eb.or(inner.map((node) => eb.and([eb('level', '=', node.level), eb('node_index', '=', node.index)]))),
      )
      .execute();
    for (const row of rows) hashes.set(key(row.level, Number(row.node_index)), Buffer.from(row.hash, 'hex'));
  }
  for (const node of nodes) {
    const left = hashes.get(key(node.level - 1, 2 * node.index));
    const right = hashes.get(key(node.level - 1, 2 * node.index + 1));
    if (!hashes.has(key(node.level, node.index)) && left && right)
      hashes.set(key(node.level, node.index), nodeHash(left, right));
  }
  return (level, index) => {
    const hash = hashes.get(key(level, index));
    if (!hash) throw new Error(`The tree has no node at level ${level}, index ${index}`);
    return hash;
  };
}
