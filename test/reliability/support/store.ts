import { LOG_CHECKPOINTS_STREAM, LOG_STREAM_PREFIX } from '@accord/domain';
import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface StoredRow {
  position: number;
  streamId: string;
  initiativeId: string;
  revision: number;
  eventId: string;
  type: string;
  correlationId: string | null;
  idempotencyKey: string | null;
  sub: string | null;
}

/**
 * Reads the embedded event store's file (ACCORD_DATA_DIR/events.db) directly, read-only, beside the server
 * that writes it: what is really stored, whatever the API says.
 */
/** The events the checkpoint signer writes (stream `log-checkpoints`): nobody's request causes them. */
const NOT_THE_SIGNERS = `stream_id <> '${LOG_CHECKPOINTS_STREAM}'`;

export class StoreReader {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  /**
   * The last position a request could have written: the transparency log's checkpoint signer appends to its own
   * stream whenever the tree grew, whatever the requests, so its events are left out (as from eventsAfter).
   */
  head(): number {
    return (
      (
        this.db.prepare(`SELECT MAX(position) AS head FROM events WHERE ${NOT_THE_SIGNERS}`).get() as {
          head: number | null;
        }
      ).head ?? 0
    );
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS count FROM events').get() as { count: number }).count;
  }

  idempotencyKeys(): number {
    return (this.db.prepare('SELECT COUNT(*) AS count FROM idempotency_keys').get() as { count: number })
      .count;
  }

  /** Every idempotency record, as "sub NUL key". */
  /** The answer remembered under each idempotency key (sub NUL key → status and body). */
  idempotencyAnswers(): Map<string, { status: number; body: string }> {
    const rows = this.db.prepare('SELECT sub, key, status, response AS body FROM idempotency_keys').all() as {
      sub: string;
      key: string;
      status: number;
      body: string;
    }[];
    return new Map(rows.map((row) => [`${row.sub}\u0000${row.key}`, { status: row.status, body: row.body }]));
  }

  idempotencyKeySet(): Set<string> {
    const rows = this.db.prepare('SELECT sub, key FROM idempotency_keys').all() as {
      sub: string;
      key: string;
    }[];
    return new Set(rows.map((row) => `${row.sub}\u0000${row.key}`));
  }

  eventsAfter(position: number): StoredRow[] {
    const rows = this.db
      .prepare(
        `SELECT position, stream_id, revision, event_id, type, body FROM events WHERE position > ? AND ${NOT_THE_SIGNERS} ORDER BY position`,
      )
      .all(position) as {
      position: number;
      stream_id: string;
      revision: number;
      event_id: string;
      type: string;
      body: string;
    }[];
    return rows.map((row) => {
      let body: {
        metadata?: { correlationId?: string; idempotencyKey?: string | null };
        actor?: { sub?: string };
      } = {};
      try {
        body = JSON.parse(row.body);
      } catch {
        // a damaged row: reported by the caller through the null fields
      }
      return {
        position: row.position,
        streamId: row.stream_id,
        initiativeId: row.stream_id.replace(/^initiative-/, ''),
        revision: row.revision,
        eventId: row.event_id,
        type: row.type,
        correlationId: body.metadata?.correlationId ?? null,
        idempotencyKey: body.metadata?.idempotencyKey ?? null,
        sub: body.actor?.sub ?? null,
      };
    });
  }

  /** Events per record key: an initiative's id, or a transparency log stream's id (`log-checkpoints`). */
  streams(): Map<string, number> {
    const rows = this.db
      .prepare('SELECT stream_id, COUNT(*) AS count FROM events GROUP BY stream_id')
      .all() as {
      stream_id: string;
      count: number;
    }[];
    return new Map(rows.map((row) => [row.stream_id.replace(/^initiative-/, ''), row.count]));
  }

  /** The transparency log's leaves: one per initiative event. */
  leaves(): number {
    return (
      this.db.prepare(`SELECT COUNT(*) AS count FROM events WHERE stream_id LIKE 'initiative-%'`).get() as {
        count: number;
      }
    ).count;
  }

  /** The tree size of the last checkpoint the log signed (0 before the first). */
  signedTreeSize(): number {
    const row = this.db
      .prepare(
        `SELECT body FROM events WHERE stream_id = ? AND type = 'CheckpointSigned' ORDER BY revision DESC LIMIT 1`,
      )
      .get(LOG_CHECKPOINTS_STREAM) as { body: string } | undefined;
    return row ? Number((JSON.parse(row.body) as { data: { treeSize: number } }).data.treeSize) : 0;
  }

  /** Events per initiative: the streams() of the initiatives alone. */
  initiatives(): Map<string, number> {
    return new Map([...this.streams()].filter(([key]) => !key.startsWith(LOG_STREAM_PREFIX)));
  }

  close(): void {
    this.db.close();
  }
}
