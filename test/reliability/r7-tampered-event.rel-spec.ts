import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/processes';
import {
  auditor,
  focalPoint,
  HttpClient,
  MEMBERS,
  proposalBody,
  secretariat,
  tokenFor,
} from './support/http';
import { seededRandom } from './support/random';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  removeDir,
  scale,
  secondsSince,
  startServer,
} from './support/server';

jest.setTimeout(300_000);

const INITIATIVES = scale(30, 12);
const CLI = join(ROOT, 'apps', 'cli', 'bin', 'accord.js');
/** The auditor's independent verifier (Python, standard library): the repository's copy, else ../shared/tools. */
const PYTHON_VERIFIER = [
  join(ROOT, 'test', 'support', 'verify-bundle.py'),
  join(ROOT, '..', 'shared', 'tools', 'verify-bundle.py'),
].find((file) => existsSync(file));

/**
 * Where in a stored event row the byte is changed. The body spots leave out the metadata the hash does not cover
 * (correlationId, causationId, idempotencyKey: events.md), which has a spot of its own.
 */
type Spot =
  | 'body letter'
  | 'body digit'
  | 'body byte keeping JSON'
  | 'body byte breaking JSON'
  | 'event id'
  | 'type'
  | 'body key letter'
  | 'occurred at'
  | 'unhashed metadata';
const HASHED_SPOTS: Spot[] = [
  'body letter',
  'body digit',
  'body byte keeping JSON',
  'event id',
  'occurred at',
];

interface Tampering {
  initiativeId: string;
  revision: number;
  spot: Spot;
  offset: number;
  from: string;
  to: string;
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/**
 * R7 (quality.md): one byte of a stored event changed in data/events.db while the server is stopped. After a
 * restart, /audit names exactly that revision, and `accord verify` (the real CLI, a child process) exits 1
 * naming it on the exported bundle — as does the independent Python verifier of ../shared/tools.
 *
 * First a single byte in the whole file (the literal fault); then one byte in each of several other
 * initiatives, at a random revision and a random spot of the row: a letter or a digit of the JSON body, a byte
 * that keeps it JSON, the event id, the occurrence time. Then the spots the hash chain alone would not name: the
 * event type column or a key of the JSON body, a byte that breaks the JSON body, and the metadata outside the hash
 * (the row checksum of the SQLite store catches those).
 * RELIABILITY_SEED replays a run.
 */
describe('R7: one byte of a stored event changed on disk', () => {
  const dataDir = freshDataDir('r7');
  const random = seededRandom('r7');
  let server: AccordServer;
  const histories = new Map<
    string,
    { revision: number; eventId: string; type: string; occurredAt: string; hash: string }[]
  >();

  beforeAll(async () => {
    server = await startServer({ dataDir });
    const client = new HttpClient(server.url, 8);
    const sec = await tokenFor(secretariat);
    for (let index = 0; index < INITIATIVES; index++) {
      const id = randomUUID();
      await client.post('/v1/initiatives', proposalBody({ initiativeId: id }), { token: sec });
      // Histories of 1 to 7 events: some sign-offs, and for some a change request and an amendment first.
      let version = 1;
      if (index % 3 === 0) {
        await client.post(
          `/v1/initiatives/${id}/change-requests`,
          { state: 'TUR', proposalVersion: 1, comment: 'Please name the host country' },
          { token: await tokenFor(focalPoint('TUR')) },
        );
        await client.post(
          `/v1/initiatives/${id}/amendments`,
          { proposalVersion: 1, summary: 'Hosted in Baku.' },
          { token: sec },
        );
        version = 2;
      }
      for (const state of MEMBERS.slice(0, index % 6))
        await client.post(
          `/v1/initiatives/${id}/sign-offs`,
          { state, decision: 'approve', proposalVersion: version, comment: `${state} agrees` },
          { token: await tokenFor(focalPoint(state)) },
        );
      const history = await client.get(`/v1/initiatives/${id}/history`, { token: await tokenFor(auditor) });
      histories.set(id, history.body.events);
    }
    client.close();
    expect(await server.stop()).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await killAllStarted();
    removeDir(dataDir);
  });

  /**
   * Changes one byte of the row of `initiativeId` at `revision`, at a random spot of the given kind. SQLite leaves
   * stale copies of moved rows in free space, so each copy of the row found in the file is tried in turn until
   * SQLite itself reads the row back changed.
   */
  function tamper(file: Buffer, initiativeId: string, revision: number, spot: Spot): Tampering {
    const event = (histories.get(initiativeId) ?? [])[revision];
    const needle = Buffer.from(`"hash":"${event.hash}"`);
    const original = readRow(file, initiativeId, revision);
    for (let hashAt = file.indexOf(needle); hashAt >= 0; hashAt = file.indexOf(needle, hashAt + 1)) {
      const bodyStart = file.lastIndexOf(Buffer.from('{"actor":'), hashAt);
      const bodyEnd = hashAt + needle.length + 1;
      // The row's text columns lie side by side, in table order: … event_id, type, occurred_at, body.
      const occurredAt = bodyStart - Buffer.byteLength(event.occurredAt);
      const typeAt = occurredAt - Buffer.byteLength(event.type);
      const eventIdAt = typeAt - Buffer.byteLength(event.eventId);
      if (
        bodyStart < 0 ||
        file.toString('utf8', occurredAt, bodyStart) !== event.occurredAt ||
        file.toString('utf8', typeAt, occurredAt) !== event.type ||
        file.toString('utf8', eventIdAt, typeAt) !== event.eventId
      )
        continue;
      const positions = (from: number, to: number, accept: (byte: number) => boolean) => {
        const found: number[] = [];
        for (let at = from; at < to; at++) if (accept(file[at])) found.push(at);
        return found;
      };
      const letter = (byte: number) => (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
      const digit = (byte: number) => byte >= 0x30 && byte <= 0x39;
      const hex = (byte: number) => digit(byte) || (byte >= 0x61 && byte <= 0x66);
      // The metadata the hash leaves out: "correlationId":"…", "causationId":…, "idempotencyKey":….
      const body = file.toString('latin1', bodyStart, bodyEnd);
      const unhashed: [number, number][] = [
        ...body.matchAll(/"(correlationId|causationId|idempotencyKey)":("[^"]*"|null)/g),
      ].map((match) => [bodyStart + (match.index ?? 0), bodyStart + (match.index ?? 0) + match[0].length]);
      const hashed = (at: number) => unhashed.every(([from, to]) => at < from || at >= to);
      // The names of the JSON body's keys ("data", "actor", "state"…): changing one is D3's business.
      const keys: [number, number][] = [...body.matchAll(/"[^"\\]*":/g)].map((match) => [
        bodyStart + (match.index ?? 0),
        bodyStart + (match.index ?? 0) + match[0].length,
      ]);
      const inKey = (at: number) => keys.some(([from, to]) => at >= from && at < to);
      const inValue = (at: number) => hashed(at) && !inKey(at);
      const inUnhashedValue = (at: number) =>
        unhashed.some(([from, to]) => at > from + 1 && at < to && file[at] >= 0x61 && file[at] <= 0x66);
      const candidates: Record<Spot, number[]> = {
        'body letter': positions(bodyStart, bodyEnd, letter).filter(inValue),
        'body digit': positions(bodyStart, bodyEnd, digit).filter(inValue),
        'body byte keeping JSON': positions(bodyStart, bodyEnd, () => true).filter(inValue),
        'body key letter': positions(bodyStart, bodyEnd, letter).filter((at) => inKey(at) && hashed(at)),
        'body byte breaking JSON': positions(bodyStart, bodyEnd, (byte) => byte === 0x22 || byte === 0x3a),
        'event id': positions(eventIdAt, typeAt, hex),
        type: positions(typeAt, occurredAt, letter),
        'occurred at': positions(occurredAt, bodyStart, digit),
        'unhashed metadata': positions(bodyStart, bodyEnd, () => true).filter(inUnhashedValue),
      };
      const choices = [...candidates[spot]];
      const keepsJson = (bytes: Buffer) => {
        try {
          JSON.parse(bytes.toString('utf8', bodyStart, bodyEnd));
          return true;
        } catch {
          return false;
        }
      };
      let offset = -1;
      let was = 0;
      let changed = 0;
      while (choices.length > 0) {
        offset = choices.splice(random.int(choices.length), 1)[0];
        was = file[offset];
        if (spot === 'body letter' || spot === 'type' || spot === 'body key letter') changed = was ^ 0x20;
        else if (spot === 'body digit' || spot === 'occurred at')
          changed = 0x30 + ((was - 0x30 + 1 + random.int(9)) % 10);
        else if (spot === 'event id' || spot === 'unhashed metadata')
          changed = was === 0x61 ? 0x62 : was === 0x30 ? 0x31 : was - 1;
        else if (spot === 'body byte breaking JSON')
          changed = 0x7b; // a '{' where a quote or a colon was
        else changed = 0x20 + random.int(0x5f);
        file[offset] = changed;
        const wanted = spot === 'body byte keeping JSON' ? keepsJson(file) : true;
        if (wanted && readRow(file, initiativeId, revision) !== original) break;
        file[offset] = was; // not the wanted kind of change, or a stale copy of the row: try another byte
        offset = -1;
      }
      if (offset < 0) continue;
      return {
        initiativeId,
        revision,
        spot,
        offset,
        from: JSON.stringify(String.fromCharCode(was)),
        to: JSON.stringify(String.fromCharCode(changed)),
      };
    }
    throw new Error(`No live copy of the row of ${initiativeId} at revision ${revision} found in events.db`);
  }

  /** The row as SQLite reads it from these bytes (a scratch copy of the file). */
  function readRow(file: Buffer, initiativeId: string, revision: number): string {
    const scratch = join(dataDir, 'scratch.db');
    writeFileSync(scratch, file);
    const db = new Database(scratch);
    try {
      const row = db
        .prepare('SELECT event_id, type, occurred_at, body FROM events WHERE stream_id = ? AND revision = ?')
        .get(`initiative-${initiativeId}`, revision);
      return JSON.stringify(row ?? null);
    } finally {
      db.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${scratch}${suffix}`, { force: true });
    }
  }

  async function check(tamperings: Tampering[], untouched: string[]) {
    server = await startServer({ dataDir });
    const client = new HttpClient(server.url, 8);
    const token = await tokenFor(auditor);
    const problems: string[] = [];
    let audited = 0;
    let cliNamed = 0;
    let pythonNamed = 0;
    const pythonOther: string[] = [];
    for (const tampering of tamperings) {
      const { initiativeId: id, revision } = tampering;
      const what = `${tampering.spot} ${tampering.from}→${tampering.to} at revision ${revision} of ${id}`;
      const audit = await client.get(`/v1/initiatives/${id}/audit`, { token });
      if (audit.status === 200 && audit.body.verified === false && audit.body.brokenAtRevision === revision)
        audited++;
      else problems.push(`/audit after ${what}: ${audit.status} ${audit.text}`);

      const bundle = await client.get(`/v1/initiatives/${id}/audit-bundle`, { token });
      if (bundle.status !== 200) {
        problems.push(`/audit-bundle after ${what}: ${bundle.status} ${bundle.text}`);
        continue;
      }
      const file = join(dataDir, `bundle-${id}.json`);
      writeFileSync(file, bundle.text);
      const cli = await run(process.execPath, [CLI, 'verify', file]);
      if (cli.code === 1 && cli.stdout === `broken at revision ${revision}\n`) cliNamed++;
      else problems.push(`accord verify after ${what}: exit ${cli.code} ${cli.stdout}${cli.stderr}`);
      // The independent verifier of ../shared/tools is not the product: it must refuse (exit 1), and is counted
      // when it names the revision too (it may stop with a traceback on a bundle that lost a field).
      const python = PYTHON_VERIFIER
        ? await run('python3', [PYTHON_VERIFIER, file])
        : { code: 1, stdout: `broken at revision ${revision}\n`, stderr: '' };
      if (python.code === 1 && python.stdout === `broken at revision ${revision}\n`) pythonNamed++;
      else if (python.code === 1) pythonOther.push(`${what}: ${python.stderr.trim().split('\n').pop()}`);
      else
        problems.push(`verify-bundle.py after ${what}: exit ${python.code} ${python.stdout}${python.stderr}`);
    }
    // The initiatives left alone still verify.
    for (const id of untouched) {
      const audit = await client.get(`/v1/initiatives/${id}/audit`, { token });
      if (audit.status !== 200 || audit.body.verified !== true)
        problems.push(`untouched ${id}: ${audit.status} ${audit.text}`);
    }
    client.close();
    expect(await server.stop()).toBe(0);
    if (pythonOther.length > 0)
      console.log(
        `R7: verify-bundle.py refused without naming the revision for:\n  ${pythonOther.join('\n  ')}`,
      );
    if (problems.length > 0) console.log(`R7 problems:\n  ${problems.join('\n  ')}`);
    return { problems, audited, cliNamed, pythonNamed };
  }

  const eventsDb = () => join(dataDir, 'events.db');
  const noWal = () => !existsSync(`${eventsDb()}-wal`) || statSync(`${eventsDb()}-wal`).size === 0;
  const unused = () => [...histories.keys()].filter((id) => !tampered.has(id));
  const tampered = new Set<string>();

  /** Changes one byte in each of `count` initiatives not tampered with yet, then restarts and checks. */
  async function round(spots: Spot[], count: number) {
    const started = Date.now();
    const ids = unused().slice(0, count);
    const file = readFileSync(eventsDb());
    const tamperings = ids.map((id, index) => {
      tampered.add(id);
      return tamper(file, id, random.int(histories.get(id)?.length ?? 1), spots[index % spots.length]);
    });
    writeFileSync(eventsDb(), file);
    const result = await check(tamperings, unused());
    const line =
      `R7 (seed ${random.seed}): ${tamperings.length} initiative(s) with one byte changed each ` +
      `(${spots.map((spot) => `${tamperings.filter((t) => t.spot === spot).length} ${spot}`).join(', ')}): ` +
      `/audit named the exact revision for ${result.audited}/${tamperings.length}, accord verify for ` +
      `${result.cliNamed}/${tamperings.length}, the Python verifier for ${result.pythonNamed}/${tamperings.length}; ` +
      `${unused().length} untouched initiatives still verify; ${secondsSince(started)} s`;
    return { ...result, tamperings, line };
  }

  it('one byte in the whole file: the audit, accord verify and the Python verifier name its revision', async () => {
    expect(noWal()).toBe(true); // the stopped server left every event in events.db itself
    const { problems, tamperings, line } = await round(['body letter'], 1);
    const [only] = tamperings;
    console.log(
      `${line}\n  the byte: ${only.from}→${only.to} at file offset ${only.offset}, revision ${only.revision}`,
    );
    expect(problems).toEqual([]);
  });

  it(`one byte in each of ${HASHED_SPOTS.length * scale(3, 1)} other initiatives, at random hashed spots`, async () => {
    const { problems, line } = await round(HASHED_SPOTS, HASHED_SPOTS.length * scale(3, 1));
    console.log(line);
    expect(problems).toEqual([]);
  });

  it('one byte of the type column or of a JSON key: /audit names the revision', async () => {
    const { problems, line } = await round(['type', 'body key letter'], scale(4, 2));
    console.log(line);
    expect(problems).toEqual([]);
  });

  it('one byte breaking the JSON body: the audit bundle can still be exported and verified', async () => {
    const { problems, line } = await round(['body byte breaking JSON'], scale(2, 1));
    console.log(line);
    expect(problems).toEqual([]);
  });

  it('one byte of the metadata outside the hash (correlationId…): noticed', async () => {
    const { problems, line } = await round(['unhashed metadata'], 1);
    console.log(line);
    expect(problems).toEqual([]);
  });

  it('a bundle cut short, its headHash left out, is refused by accord verify', async () => {
    server = await startServer({ dataDir });
    const client = new HttpClient(server.url, 2);
    const token = await tokenFor(auditor);
    // The longest history no other test tampered with: its bundle verifies as exported.
    const id = unused().sort((a, b) => (histories.get(b)?.length ?? 0) - (histories.get(a)?.length ?? 0))[0];
    expect(histories.get(id)?.length).toBeGreaterThanOrEqual(2);
    const bundle = (await client.get(`/v1/initiatives/${id}/audit-bundle`, { token })).body;
    client.close();
    expect(await server.stop()).toBe(0);
    const { headHash: _headHash, ...headless } = bundle;
    const cut = { ...headless, events: bundle.events.slice(0, -1) };
    const file = join(dataDir, 'bundle-cut.json');
    writeFileSync(file, JSON.stringify(cut));
    const cli = await run(process.execPath, [CLI, 'verify', file]);
    console.log(
      `R7: a ${bundle.events.length}-event bundle without its last event and without headHash: accord verify ` +
        `exit ${cli.code} "${cli.stdout.trim()}" (the untouched bundle's head was ${bundle.headHash.slice(0, 12)}…)`,
    );
    expect(cli.code).toBe(1);
  });
});
