import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { eventHash, verifyChain } from '@accord/audit';
import { DEFAULT_PARTIES } from '@accord/domain';
import { SqliteEventStore } from '@accord/event-store';
import type { LogLeaf } from '@accord/read-model';
import { ROOT } from '../../support/processes';
import { checkpointOf } from '../../support/rfc9162';
import { focalPoint, HttpClient, MEMBERS, proposalBody, secretariat, tokenFor, witnessOf } from './http';
import { until } from './server';

const CLI = join(ROOT, 'apps', 'cli', 'bin', 'accord.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `accord` CLI, as a child process. */
export function accord(args: string[]): Promise<CliRun> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

export interface Witness {
  state: string;
  keyFile: string;
  /** Its verifier key, as `accord keys witness` printed it for the parties file. */
  vkey: string;
  token: string;
}

/** One witness per state, each key made by `accord keys witness` into `dir`. */
export async function newWitnesses(dir: string, states: readonly string[]): Promise<Witness[]> {
  return Promise.all(
    states.map(async (state) => {
      const keyFile = join(dir, `${state}.witness.key`);
      const made = await accord([
        'keys',
        'witness',
        '--name',
        `witness.${state.toLowerCase()}.example`,
        '--out',
        keyFile,
      ]);
      if (made.code !== 0) throw new Error(`accord keys witness for ${state}: ${made.stderr}`);
      return { state, keyFile, vkey: made.stdout.trim(), token: await tokenFor(witnessOf(state)) };
    }),
  );
}

/** The default parties with each witness's vkey among its state's `witnessKeys`; the file's path. */
export function writePartiesFile(dir: string, witnesses: readonly Witness[]): string {
  const file = join(dir, 'parties.json');
  const entries = DEFAULT_PARTIES.map((party) => {
    const keys = witnesses.filter((witness) => witness.state === party.code).map((witness) => witness.vkey);
    return keys.length > 0 ? { ...party, witnessKeys: keys } : party;
  });
  writeFileSync(file, JSON.stringify(entries, null, 2));
  return file;
}

/** One round of `accord witness --once` against `url`, remembering what it cosigned in `stateDir`. */
export function witnessOnce(
  witness: Witness,
  options: { url: string; stateDir: string; logKey: string },
): Promise<CliRun> {
  return accord([
    'witness',
    '--url',
    options.url,
    '--key',
    witness.keyFile,
    '--state',
    witness.state,
    '--token',
    witness.token,
    '--log-key',
    options.logKey,
    '--state-file',
    join(options.stateDir, `${witness.state}.json`),
    '--once',
  ]);
}

/** A leaf as GET /v1/log/leaves answers it: the read model's own shape. */
export type { LogLeaf };

/** The log's routes, with an auditor's token. */
export class LogReader {
  constructor(
    private readonly client: HttpClient,
    private readonly token: string,
  ) {}

  async key(): Promise<string> {
    return (await this.get('/v1/log/key')).text.trim();
  }

  async checkpoint(): Promise<string> {
    return (await this.get('/v1/log/checkpoint')).text;
  }

  /** The latest checkpoint once it covers at least `size` leaves. */
  checkpointCovering(size: number, timeoutMs = 60_000): Promise<string> {
    return until(
      `a checkpoint of ${size} leaves`,
      async () => {
        const response = await this.client.get('/v1/log/checkpoint', { token: this.token });
        return response.status === 200 && checkpointOf(response.text).size >= size && response.text;
      },
      timeoutMs,
      50,
    );
  }

  /** Leaves [0, size), a page of 1,000 at a time. */
  async leaves(size: number): Promise<LogLeaf[]> {
    const leaves: LogLeaf[] = [];
    for (let start = 0; start < size; start += 1000)
      leaves.push(...(await this.leafPage(start, Math.min(start + 1000, size))));
    return leaves;
  }

  /** Leaves [start, end): at most 1,000. */
  async leafPage(start: number, end: number): Promise<LogLeaf[]> {
    return (await this.get(`/v1/log/leaves?start=${start}&end=${end}`)).body.leaves;
  }

  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    const { body } = await this.get(`/v1/log/proof/consistency?from=${from}&to=${to}`);
    return base64Hashes(body.hashes);
  }

  private async get(path: string) {
    const response = await this.client.get(path, { token: this.token });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    return response;
  }
}

export const base64Hashes = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));
/** A leaf's input: the event's chain hash (hex), as bytes. */
export const leafInput = (leaf: { hash: string }) => Buffer.from(leaf.hash, 'hex');

/** The number of initiative events in a data directory's event store: the size of the log's tree over it. */
export function storedLeafCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare("SELECT COUNT(*) AS count FROM events WHERE stream_id LIKE 'initiative-%'").get() as {
        count: number;
      }
    ).count;
  } finally {
    db.close();
  }
}

/*
 * What an attacker with write access to a stopped server's data directory does to its history. Each change keeps
 * the store readable and every hash chain valid: the rows are read back through SqliteEventStore and verified.
 */

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  occurred_at: string;
  body: string;
}

/**
 * Changes the data of one stored event and computes the chain of its stream again from there: every later hash and
 * prevHash, and each row's checksum, as SqliteEventStore would have written them.
 */
export async function rewriteEvent(
  dataDir: string,
  streamId: string,
  revision: number,
  change: (data: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const db = openStore(dataDir);
  try {
    const rows = db
      .prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision')
      .all(streamId) as EventRow[];
    const update = db.prepare('UPDATE events SET body = ?, checksum = ? WHERE position = ?');
    db.transaction(() => {
      let prevHash: string | null = null;
      for (const row of rows.slice(revision)) {
        const body = JSON.parse(row.body);
        if (row.revision === revision) body.data = change(body.data);
        body.prevHash = prevHash ?? body.prevHash;
        body.hash = eventHash({
          streamId,
          revision: row.revision,
          eventId: row.event_id,
          type: row.type,
          schemaVersion: body.metadata.schemaVersion,
          occurredAt: row.occurred_at,
          actor: body.actor,
          data: body.data,
          prevHash: body.prevHash,
        });
        prevHash = body.hash;
        const text = JSON.stringify(body);
        update.run(text, rowChecksum({ ...row, body: text }), row.position);
      }
    })();
  } finally {
    db.close();
  }
  await expectReadableChains(dataDir, [streamId]);
}

/** Deletes the last `count` initiative events of the global log: the tails of the streams they end. */
export async function truncateHistory(dataDir: string, count: number): Promise<string[]> {
  const db = openStore(dataDir);
  let streams: string[];
  try {
    const rows = db
      .prepare(
        "SELECT position, stream_id FROM events WHERE stream_id LIKE 'initiative-%' ORDER BY position DESC LIMIT ?",
      )
      .all(count) as { position: number; stream_id: string }[];
    const remove = db.prepare('DELETE FROM events WHERE position = ?');
    db.transaction(() => rows.forEach((row) => remove.run(row.position)))();
    streams = [...new Set(rows.map((row) => row.stream_id))];
  } finally {
    db.close();
  }
  await expectReadableChains(dataDir, streams);
  return streams;
}

/**
 * Erases what would betray the change: the log's own streams (its signed checkpoints and the witnesses'
 * cosignatures) and the read model, so that the restarted server builds the tree from the history as it now is
 * and signs it afresh.
 */
export function forgetTheLog(dataDir: string): void {
  const db = openStore(dataDir);
  try {
    db.prepare("DELETE FROM events WHERE stream_id LIKE 'log-%'").run();
  } finally {
    db.close();
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `read-model.db${suffix}`), { force: true });
}

function openStore(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'events.db'), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The checksum SqliteEventStore keeps per row: CRC-32 of its columns, each followed by a NUL. */
function rowChecksum(row: Omit<EventRow, 'position'>): number {
  let checksum = 0;
  for (const column of [
    row.stream_id,
    String(row.revision),
    row.event_id,
    row.type,
    row.occurred_at,
    row.body,
  ])
    checksum = crc32('\u0000', crc32(column, checksum));
  return checksum;
}

async function expectReadableChains(dataDir: string, streamIds: readonly string[]): Promise<void> {
  const store = new SqliteEventStore(join(dataDir, 'events.db'));
  try {
    for (const streamId of streamIds) {
      const chain = verifyChain(streamId, await store.readStream(streamId));
      if (!chain.verified) throw new Error(`${streamId}: the chain breaks at ${chain.brokenAtRevision}`);
    }
  } finally {
    await store.close();
  }
}

/**
 * Proposes an initiative (as the secretariat) and records the approvals of the first `approvals` member states in
 * MEMBERS order; its id. Unanimity: five approvals add InitiativeApproved.
 */
export async function decideInitiative(
  client: HttpClient,
  approvals: number,
  comment: string,
): Promise<string> {
  const initiativeId = randomUUID();
  const proposed = await client.post('/v1/initiatives', proposalBody({ initiativeId }), {
    token: await tokenFor(secretariat),
  });
  if (proposed.status !== 201) throw new Error(`proposal: ${proposed.status} ${proposed.text}`);
  for (const state of MEMBERS.slice(0, approvals)) {
    const signed = await client.post(
      `/v1/initiatives/${initiativeId}/sign-offs`,
      { state, decision: 'approve', proposalVersion: 1, comment: `${state}: ${comment}` },
      { token: await tokenFor(focalPoint(state)) },
    );
    if (signed.status !== 201) throw new Error(`sign-off of ${state}: ${signed.status} ${signed.text}`);
  }
  return initiativeId;
}
