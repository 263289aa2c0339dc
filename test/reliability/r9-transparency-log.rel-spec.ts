import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSignerKey } from '@accord/tlog';
import {
  checkpointOf,
  noteCosignedBy,
  noteSignedBy,
  parseVkey,
  rfcTreeHash,
  rfcVerifyConsistency,
  splitNote,
} from '../support/rfc9162';
import { auditor, HttpClient, MEMBERS, tokenFor } from './support/http';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  removeDir,
  scale,
  secondsSince,
  startServer,
  until,
} from './support/server';
import { StoreReader } from './support/store';
import {
  accord,
  CliRun,
  decideInitiative,
  forgetTheLog,
  leafInput,
  LogLeaf,
  LogReader,
  newWitnesses,
  rewriteEvent,
  storedLeafCount,
  truncateHistory,
  Witness,
  witnessOnce,
  writePartiesFile,
} from './support/transparency-log';

jest.setTimeout(300_000);

/** Initiatives decided before the witnesses cosign: approvals by 5, 3, 5 and 2 states in turn. */
const INITIATIVES = scale(24, 4);
const APPROVALS = [5, 3, 5, 2];
/** The initiative whose history is rewritten: five approvals, in the middle of the log. */
const TARGET = 2 * Math.floor(INITIATIVES / 4);
/** TUR's sign-off: after the proposal and the sign-offs of AZE, KAZ and KGZ. */
const REWRITTEN_REVISION = 4;
/** Cut from the end of the log: the last initiative (two approvals) keeps its proposal. */
const CUT = 2;

/**
 * R9 (quality.md): the transparency log (trust.md §4) against an operator who rewrites, truncates or forks the
 * history behind it. The compiled server on its SQLite files, five member states' witnesses running the real
 * `accord witness --once` and an auditor running the real `accord verify`, all as child processes; every proof
 * and signature the test judges itself is checked with test/support/rfc9162.ts (node:crypto and the RFCs).
 *
 * The attacker, with the server stopped, changes events.db so that every hash chain still verifies (the chain of a
 * rewritten stream computed again, row checksums too), and erases what would betray it: the log's own streams
 * (its checkpoints and the cosignatures) and the read model. The restarted server then builds the tree from the
 * history as it now is and signs it afresh with its key. What must hold: every witness refuses, naming why, and
 * posts nothing; `accord verify` against a checkpoint the auditor kept exits 1.
 */
describe('R9: the transparency log when the history behind it is rewritten, truncated or forked', () => {
  const workDir = freshDataDir('r9');
  const dataDirs: string[] = [];
  let witnesses: Witness[];
  let partiesFile: string;
  let auditorToken: string;

  const byState = (state: string) => witnesses.find((witness) => witness.state === state) as Witness;

  async function startLog(dataDir: string, env: Record<string, string> = {}): Promise<AccordServer> {
    return startServer({
      dataDir,
      env: { ACCORD_PARTIES_FILE: partiesFile, ACCORD_CHECKPOINT_INTERVAL: '1', ...env },
    });
  }

  function newDataDir(label: string): string {
    const dir = freshDataDir(label);
    dataDirs.push(dir);
    return dir;
  }

  function newStateDir(label: string): string {
    const dir = join(workDir, label);
    mkdirSync(dir);
    return dir;
  }

  /** Every witness's `accord witness --once` at once. */
  function everyWitnessOnce(url: string, stateDir: string, logKey: string): Promise<CliRun[]> {
    return Promise.all(witnesses.map((witness) => witnessOnce(witness, { url, stateDir, logKey })));
  }

  /** The latest checkpoint once it carries a cosignature by each of these witnesses. */
  function cosignedBy(log: LogReader, by: readonly Witness[]): Promise<string> {
    return until(
      `cosignatures of ${by.map((witness) => witness.state).join(', ')}`,
      async () => {
        const note = await log.checkpoint();
        return by.every((witness) => noteCosignedBy(note, parseVkey(witness.vkey))) && note;
      },
      30_000,
      50,
    );
  }

  /** How many witness cosignatures reached the store (events of the streams `log-cosignatures-<size>`). */
  function storedCosignatures(dataDir: string): number {
    const store = new StoreReader(dataDir);
    try {
      return [...store.streams()]
        .filter(([stream]) => stream.startsWith('log-cosignatures-'))
        .reduce((sum, [, count]) => sum + count, 0);
    } finally {
      store.close();
    }
  }

  function saveFile(name: string, text: string): string {
    const file = join(workDir, name);
    writeFileSync(file, text);
    return file;
  }

  async function exportBundle(client: HttpClient, initiativeId: string, name: string): Promise<string> {
    const bundle = await client.get(`/v1/initiatives/${initiativeId}/audit-bundle`, { token: auditorToken });
    if (bundle.status !== 200)
      throw new Error(`audit-bundle of ${initiativeId}: ${bundle.status} ${bundle.text}`);
    return saveFile(name, bundle.text);
  }

  /** `accord verify` of a bundle against a checkpoint the auditor kept, with the proof fetched from `url`. */
  function verifyAgainst(bundle: string, kept: { logKey: string; checkpointFile: string; url: string }) {
    return accord([
      'verify',
      bundle,
      '--log-key',
      kept.logKey,
      '--checkpoint',
      kept.checkpointFile,
      '--url',
      kept.url,
      '--token',
      auditorToken,
    ]);
  }

  const refusals = (runs: CliRun[], pattern: RegExp) =>
    runs.filter((run) => run.code === 1 && pattern.test(run.stderr) && run.stdout === '').length;
  const firstLine = (run: CliRun) => (run.stderr || run.stdout).trim().split('\n')[0];

  beforeAll(async () => {
    witnesses = await newWitnesses(workDir, MEMBERS);
    partiesFile = writePartiesFile(workDir, witnesses);
    auditorToken = await tokenFor(auditor);
  });
  afterAll(async () => {
    await killAllStarted();
    for (const dir of [workDir, ...dataDirs]) removeDir(dir);
  });

  describe('when every witness cosigned and the auditor kept the checkpoint', () => {
    const dataDir = newDataDir('r9-history');
    const truncatedDataDir = newDataDir('r9-truncated');
    const stateDir = newStateDir('witnesses');
    const truncatedStateDir = newStateDir('witnesses-truncated');
    let ids: string[];
    let logKey: string;
    let keptNote: string;
    let keptFile: string;
    let keptLeaves: LogLeaf[];
    let keptBundle: string;
    let size: number;

    beforeAll(async () => {
      const server = await startLog(dataDir);
      const client = new HttpClient(server.url, 4);
      const log = new LogReader(client, auditorToken);
      ids = [];
      for (let index = 0; index < INITIATIVES; index++)
        ids.push(await decideInitiative(client, APPROVALS[index % APPROVALS.length], `before, ${index}`));
      size = storedLeafCount(dataDir);
      const signed = checkpointOf(await log.checkpointCovering(size));
      logKey = await log.key();

      const cosigned = await everyWitnessOnce(server.url, stateDir, logKey);
      const said = `cosigned accord.local/log at size ${size}, root ${signed.root.toString('base64')}`;
      expect(cosigned.map((run) => [run.code, run.stdout.trim()])).toEqual(witnesses.map(() => [0, said]));
      keptNote = await cosignedBy(log, witnesses);
      keptFile = saveFile('kept.checkpoint', keptNote);
      keptLeaves = await log.leaves(size);
      // Before any attack the kept checkpoint and a bundle agree: the refusals below are the attacks' doing.
      keptBundle = await exportBundle(client, ids[TARGET], 'bundle-before.json');
      const verified = await accord(['verify', keptBundle, '--log-key', logKey, '--checkpoint', keptFile]);
      expect(verified.code).toBe(0);
      client.close();
      expect(await server.stop()).toBe(0);
      cpSync(dataDir, truncatedDataDir, { recursive: true });
      cpSync(stateDir, truncatedStateDir, { recursive: true });
    });

    it('the kept checkpoint is signed by the log, cosigned by all five witnesses, and is the tree of the history', () => {
      const checkpoint = checkpointOf(keptNote);
      expect(noteSignedBy(keptNote, parseVkey(logKey))).toBe(true);
      for (const witness of witnesses) expect(noteCosignedBy(keptNote, parseVkey(witness.vkey))).toBe(true);
      expect(checkpoint.size).toBe(size);
      expect(rfcTreeHash(keptLeaves.map(leafInput))).toEqual(checkpoint.root);
    });

    describe('when a decision was rewritten, its chain computed again, and the log re-signed from scratch', () => {
      let server: AccordServer;
      let client: HttpClient;
      let log: LogReader;
      let note: string;
      let started = 0;
      const figures: string[] = [];

      beforeAll(async () => {
        started = Date.now();
        await rewriteEvent(dataDir, `initiative-${ids[TARGET]}`, REWRITTEN_REVISION, (data) => ({
          ...data,
          decision: 'reject',
          comment: 'TUR: rejected (rewritten)',
        }));
        forgetTheLog(dataDir);
        server = await startLog(dataDir);
        client = new HttpClient(server.url, 4);
        log = new LogReader(client, auditorToken);
        // Decided on after the rewrite: the tree outgrows the kept one, so only a consistency proof can tell.
        await decideInitiative(client, 1, 'after the rewrite');
        note = await log.checkpointCovering(size + 2);
      });
      afterAll(async () => {
        client?.close();
        await server?.stop();
        console.log(`R9 rewrite: ${figures.join('; ')}; ${secondsSince(started)} s`);
      });

      it('the log signs the rewritten tree with its key, and the RFC 9162 proof shows the kept checkpoint inconsistent with it', async () => {
        const checkpoint = checkpointOf(note);
        expect(noteSignedBy(note, parseVkey(logKey))).toBe(true);
        expect(checkpoint.size).toBe(size + 2);
        const leaves = await log.leaves(checkpoint.size);
        const rewritten = keptLeaves.findIndex(
          (leaf) => leaf.streamId === `initiative-${ids[TARGET]}` && leaf.revision === REWRITTEN_REVISION,
        );
        const firstDifferent = keptLeaves.findIndex((leaf, index) => leaf.hash !== leaves[index].hash);
        expect(firstDifferent).toBe(rewritten);

        const kept = checkpointOf(keptNote);
        const proof = await log.consistencyProof(kept.size, checkpoint.size);
        expect(rfcVerifyConsistency(kept.size, checkpoint.size, kept.root, checkpoint.root, proof)).toBe(
          false,
        );
        // The proof itself is sound: it proves the rewritten history's own prefix, which is not what was cosigned.
        const rewrittenPrefix = rfcTreeHash(leaves.slice(0, kept.size).map(leafInput));
        expect(
          rfcVerifyConsistency(kept.size, checkpoint.size, rewrittenPrefix, checkpoint.root, proof),
        ).toBe(true);
        figures.push(
          `TUR's approval (revision ${REWRITTEN_REVISION} of initiative ${TARGET + 1}/${INITIATIVES}) rewritten as a ` +
            `rejection, its chain and row checksums computed again; the trees differ from leaf ${rewritten} of ` +
            `${size}; the log re-signed at ${checkpoint.size}; RFC 9162 proof ${kept.size}→${checkpoint.size} ` +
            `(${proof.length} hashes) fails for the kept root`,
        );
      });

      it('every witness refuses, naming the inconsistency, and posts nothing', async () => {
        const runs = await everyWitnessOnce(server.url, stateDir, logKey);
        const pattern = new RegExp(
          `refused: inconsistent: checkpoint of size ${size + 2} does not extend the cosigned checkpoint of size ${size}`,
        );
        figures.push(
          `${refusals(runs, pattern)}/${witnesses.length} witnesses refused ("${firstLine(runs[0])}")`,
        );
        expect(runs.map((run) => [run.code, run.stderr.trim()])).toEqual(
          runs.map(() => [1, expect.stringMatching(pattern)]),
        );
        expect(splitNote(await log.checkpoint()).lines).toHaveLength(1); // the log's signature alone
        expect(storedCosignatures(dataDir)).toBe(0);
      });

      it('accord verify of a bundle exported now exits 1 against the kept checkpoint (0 without it), and of the kept bundle against the new checkpoint', async () => {
        const bundle = await exportBundle(client, ids[TARGET], 'bundle-rewritten.json');
        const alone = await accord(['verify', bundle, '--log-key', logKey]);
        const against = await verifyAgainst(bundle, { logKey, checkpointFile: keptFile, url: server.url });
        // And the other way round: the bundle kept before the rewrite, against the checkpoint the log serves now.
        const current = saveFile('current.checkpoint', await log.checkpoint());
        const keptAgainstCurrent = await verifyAgainst(keptBundle, {
          logKey,
          checkpointFile: current,
          url: server.url,
        });
        figures.push(
          `accord verify of the rewritten initiative's bundle: exit ${alone.code} alone (the rewrite is self-consistent), ` +
            `exit ${against.code} against the kept checkpoint ("${against.stdout.trim()}"); of the bundle kept ` +
            `before, against the log's new checkpoint: exit ${keptAgainstCurrent.code}`,
        );
        expect(alone.code).toBe(0);
        expect(against.code).toBe(1);
        expect(against.stdout).toBe(`inconsistent with the kept checkpoint of size ${size}\n`);
        expect(keptAgainstCurrent.code).toBe(1);
        expect(keptAgainstCurrent.stdout).toBe(`inconsistent with the kept checkpoint of size ${size + 2}\n`);
      });
    });

    describe('when the last events were cut off and the log re-signed from scratch', () => {
      let server: AccordServer;
      let client: HttpClient;
      let log: LogReader;
      let started = 0;
      const figures: string[] = [];
      const cutInitiative = () => ids[INITIATIVES - 1];

      beforeAll(async () => {
        started = Date.now();
        await truncateHistory(truncatedDataDir, CUT);
        forgetTheLog(truncatedDataDir);
        server = await startLog(truncatedDataDir);
        client = new HttpClient(server.url, 4);
        log = new LogReader(client, auditorToken);
      });
      afterAll(async () => {
        client?.close();
        await server?.stop();
        console.log(`R9 truncation: ${figures.join('; ')}; ${secondsSince(started)} s`);
      });

      it('every witness refuses the smaller tree, posts nothing, and accord verify against the kept checkpoint exits 1', async () => {
        const note = await log.checkpointCovering(size - CUT);
        expect(noteSignedBy(note, parseVkey(logKey))).toBe(true);
        expect(checkpointOf(note).size).toBe(size - CUT);
        const runs = await everyWitnessOnce(server.url, truncatedStateDir, logKey);
        const pattern = new RegExp(
          `refused: inconsistent: checkpoint of size ${size - CUT} is smaller than the cosigned checkpoint of size ${size}`,
        );
        const bundle = await exportBundle(client, cutInitiative(), 'bundle-truncated.json');
        const verify = await verifyAgainst(bundle, { logKey, checkpointFile: keptFile, url: server.url });
        figures.push(
          `the last ${CUT} of ${size} events cut, the log re-signed at ${size - CUT}: ` +
            `${refusals(runs, pattern)}/${witnesses.length} witnesses refused ("${firstLine(runs[0])}"); ` +
            `accord verify exit ${verify.code} ("${verify.stdout.trim().replace(/ answered 404: .*/, ' answered 404')}")`,
        );
        expect(runs.map((run) => [run.code, run.stderr.trim()])).toEqual(
          runs.map(() => [1, expect.stringMatching(pattern)]),
        );
        expect(storedCosignatures(truncatedDataDir)).toBe(0);
        // The log cannot prove its smaller tree a prefix of the kept one: the check cannot pass.
        expect(verify.code).toBe(1);
        expect(verify.stdout).toMatch(
          new RegExp(`^consistency with the kept checkpoint of size ${size} not checked: .* answered 404`),
        );
      });

      it('when decided on again up to the kept size, every witness refuses the other root, and accord verify exits 1', async () => {
        await decideInitiative(client, CUT - 1, 'in place of the cut events');
        const note = await log.checkpointCovering(size);
        const [checkpoint, kept] = [checkpointOf(note), checkpointOf(keptNote)];
        expect(checkpoint.size).toBe(kept.size);
        expect(checkpoint.root).not.toEqual(kept.root);
        const runs = await everyWitnessOnce(server.url, truncatedStateDir, logKey);
        const pattern = new RegExp(
          `refused: inconsistent: checkpoint of size ${size} has root \\S+, the cosigned checkpoint of that size ` +
            `${kept.root.toString('base64').replace(/[+/]/g, '\\$&')}`,
        );
        const bundle = await exportBundle(client, cutInitiative(), 'bundle-refilled.json');
        const verify = await verifyAgainst(bundle, { logKey, checkpointFile: keptFile, url: server.url });
        figures.push(
          `then ${CUT} other events in their place, the log re-signed at ${size} with another root: ` +
            `${refusals(runs, pattern)}/${witnesses.length} witnesses refused ("${firstLine(runs[0])}"); ` +
            `accord verify exit ${verify.code} ("${verify.stdout.trim()}")`,
        );
        expect(runs.map((run) => [run.code, run.stderr.trim()])).toEqual(
          runs.map(() => [1, expect.stringMatching(pattern)]),
        );
        expect(storedCosignatures(truncatedDataDir)).toBe(0);
        expect(verify.code).toBe(1);
        expect(verify.stdout).toBe(`inconsistent with the kept checkpoint of size ${size}\n`);
      });
    });
  });

  describe('when the log forked: two servers with one log key and one beginning, then other decisions', () => {
    const logPrivateKey = generateSignerKey('accord.local/log');
    const forkA = newDataDir('r9-fork-a');
    const forkB = newDataDir('r9-fork-b');
    const stateDir = newStateDir('witnesses-fork');
    let started = 0;
    const figures: string[] = [];
    let serverA: AccordServer;
    let serverB: AccordServer;
    let clientA: HttpClient;
    let clientB: HttpClient;
    let logA: LogReader;
    let logB: LogReader;
    let logKey: string;
    let shared: number;
    let cosignedA: string;
    let cosignedB: string;

    beforeAll(async () => {
      started = Date.now();
      const env = { ACCORD_LOG_PRIVATE_KEY: logPrivateKey };
      const first = await startLog(forkA, env);
      const client = new HttpClient(first.url, 4);
      for (const approvals of [2, 5]) await decideInitiative(client, approvals, 'the common beginning');
      shared = storedLeafCount(forkA);
      await new LogReader(client, auditorToken).checkpointCovering(shared);
      client.close();
      expect(await first.stop()).toBe(0);
      copyFileSync(join(forkA, 'events.db'), join(forkB, 'events.db'));

      [serverA, serverB] = await Promise.all([startLog(forkA, env), startLog(forkB, env)]);
      clientA = new HttpClient(serverA.url, 4);
      clientB = new HttpClient(serverB.url, 4);
      logA = new LogReader(clientA, auditorToken);
      logB = new LogReader(clientB, auditorToken);
      logKey = await logA.key();
      // Other decisions on each side, of different sizes: a consistency proof is needed to tell them apart.
      await decideInitiative(clientA, 1, 'on server A');
      await decideInitiative(clientB, 3, 'on server B');
      await Promise.all([logA.checkpointCovering(shared + 2), logB.checkpointCovering(shared + 4)]);
      const [kaz, tur] = await Promise.all([
        witnessOnce(byState('KAZ'), { url: serverA.url, stateDir, logKey }),
        witnessOnce(byState('TUR'), { url: serverB.url, stateDir, logKey }),
      ]);
      expect([kaz.code, tur.code]).toEqual([0, 0]);
      [cosignedA, cosignedB] = await Promise.all([
        cosignedBy(logA, [byState('KAZ')]),
        cosignedBy(logB, [byState('TUR')]),
      ]);
    });
    afterAll(async () => {
      clientA?.close();
      clientB?.close();
      await Promise.all([serverA?.stop(), serverB?.stop()]);
      console.log(`R9 fork: ${figures.join('; ')}; ${secondsSince(started)} s`);
    });

    it("each witness cosigned its server's checkpoint, both signed by the one log key over one beginning", async () => {
      expect(await logB.key()).toBe(logKey);
      const [a, b] = [checkpointOf(cosignedA), checkpointOf(cosignedB)];
      expect([a.size, b.size]).toEqual([shared + 2, shared + 4]);
      expect(noteSignedBy(cosignedA, parseVkey(logKey))).toBe(true);
      expect(noteSignedBy(cosignedB, parseVkey(logKey))).toBe(true);
      expect(noteCosignedBy(cosignedA, parseVkey(byState('KAZ').vkey))).toBe(true);
      expect(noteCosignedBy(cosignedB, parseVkey(byState('TUR').vkey))).toBe(true);
      const [leavesA, leavesB] = await Promise.all([logA.leaves(a.size), logB.leaves(a.size)]);
      const firstDifferent = leavesA.findIndex((leaf, index) => leaf.hash !== leavesB[index].hash);
      expect(firstDifferent).toBe(shared);
      figures.push(
        `one log key, ${shared} events in common; KAZ cosigned server A at ${a.size}, TUR server B at ${b.size}`,
      );
    });

    it("server B's consistency proof shows the two cosigned checkpoints inconsistent (RFC 9162)", async () => {
      const [a, b] = [checkpointOf(cosignedA), checkpointOf(cosignedB)];
      const proof = await logB.consistencyProof(a.size, b.size);
      expect(rfcVerifyConsistency(a.size, b.size, a.root, b.root, proof)).toBe(false);
      const ownPrefix = rfcTreeHash((await logB.leaves(a.size)).map(leafInput));
      expect(rfcVerifyConsistency(a.size, b.size, ownPrefix, b.root, proof)).toBe(true);
      figures.push(`B's proof ${a.size}→${b.size} fails for A's cosigned root`);
    });

    it("and the other way: once server A outgrew it, A's proof shows TUR's cosigned checkpoint inconsistent", async () => {
      await decideInitiative(clientA, 3, 'on server A, later');
      const b = checkpointOf(cosignedB);
      const later = checkpointOf(await logA.checkpointCovering(shared + 6));
      expect(later.size).toBeGreaterThan(b.size);
      const proof = await logA.consistencyProof(b.size, later.size);
      expect(rfcVerifyConsistency(b.size, later.size, b.root, later.root, proof)).toBe(false);
      figures.push(`A's proof ${b.size}→${later.size} fails for B's cosigned root`);
    });

    it("KAZ's witness run against server B refuses, and TUR's against server A; an auditor holding KAZ's checkpoint rejects B's bundles", async () => {
      const [kazOnB, turOnA] = await Promise.all([
        witnessOnce(byState('KAZ'), { url: serverB.url, stateDir, logKey }),
        witnessOnce(byState('TUR'), { url: serverA.url, stateDir, logKey }),
      ]);
      const [a, b] = [checkpointOf(cosignedA), checkpointOf(cosignedB)];
      const initiativeOnB = (await logB.leaves(b.size))[b.size - 1].streamId.replace(/^initiative-/, '');
      const bundle = await exportBundle(clientB, initiativeOnB, 'bundle-fork-b.json');
      const verify = await verifyAgainst(bundle, {
        logKey,
        checkpointFile: saveFile('kaz-cosigned.checkpoint', cosignedA),
        url: serverB.url,
      });
      figures.push(
        `KAZ's witness on B: exit ${kazOnB.code} ("${firstLine(kazOnB)}"); TUR's on A: exit ${turOnA.code}; ` +
          `accord verify of B's bundle against KAZ's cosigned checkpoint: exit ${verify.code}`,
      );
      expect([kazOnB.code, kazOnB.stderr]).toEqual([
        1,
        expect.stringContaining(
          `refused: inconsistent: checkpoint of size ${b.size} does not extend the cosigned checkpoint of size ${a.size}`,
        ),
      ]);
      expect([turOnA.code, turOnA.stderr]).toEqual([
        1,
        expect.stringContaining(`does not extend the cosigned checkpoint of size ${b.size}`),
      ]);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toBe(`inconsistent with the kept checkpoint of size ${a.size}\n`);
    });
  });
});
