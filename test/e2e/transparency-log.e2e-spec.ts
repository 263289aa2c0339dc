import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventHash, GENESIS_HASH } from '@accord/audit';
import { COSIGNATURE_V1, cosigner, generateSignerKey, verifierKeyOf } from '@accord/tlog';
import { MEMBERS, proposed, pythonVerify, signedOff, startTestApp, TestApp } from './support';
import { captureStdout } from '../support/capture-stdout';
import { runCli } from '../../apps/cli/src/cli';
import {
  checkpointOf,
  noteCosignedBy,
  noteSignedBy,
  parseVkey,
  rfcTreeHash,
  rfcVerifyConsistency,
  rfcVerifyInclusion,
} from '../support/rfc9162';

const b64 = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));
const leafInput = (hash: string) => Buffer.from(hash, 'hex');

/**
 * The transparency log (docs/trust.md §4) checked from outside: every signature, tree hash and proof here is
 * verified with test/support/rfc9162.ts (node:crypto and the RFCs), not with Accord's own code.
 */
describe('Transparency log', () => {
  let testApp: TestApp;
  const witnessKey = generateSignerKey('witness.kaz.example', COSIGNATURE_V1);
  const strangerKey = generateSignerKey('witness.stranger.example', COSIGNATURE_V1);
  let witness: string;

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'accord-parties-'));
    const parties = join(directory, 'parties.json');
    writeFileSync(
      parties,
      JSON.stringify(
        MEMBERS.map((code) => ({
          code,
          name: code,
          role: 'member',
          ...(code === 'KAZ' ? { witnessKeys: [verifierKeyOf(witnessKey)] } : {}),
        })),
      ),
    );
    testApp = await startTestApp({
      store: 'sqlite',
      env: { ACCORD_PARTIES_FILE: parties, ACCORD_CHECKPOINT_INTERVAL: '1' },
    });
    witness = `Bearer ${await testApp.token('witness', 'KAZ')}`;
  });
  afterAll(() => testApp.close());

  const get = (path: string, auth = testApp.auth('auditor')) =>
    testApp.http().get(path).set('authorization', auth);
  const logKey = async () => parseVkey((await get('/v1/log/key').expect(200)).text);

  /** Waits for a checkpoint of at least `size` leaves. */
  async function checkpointCovering(size: number): Promise<string> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await get('/v1/log/checkpoint');
      if (response.status === 200 && checkpointOf(response.text).size >= size) return response.text;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no checkpoint of ${size} leaves`);
  }

  /** The checkpoint once the log stopped growing: no new one comes while nothing is decided. */
  async function settledCheckpoint(): Promise<string> {
    for (let previous = ''; ;) {
      const current = (await get('/v1/log/checkpoint').expect(200)).text;
      if (current === previous) return current;
      previous = current;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
  }

  async function historyOf(id: string): Promise<{ eventId: string; hash: string }[]> {
    return (await get(`/v1/initiatives/${id}/history`).expect(200)).body.events;
  }

  describe('when initiatives were decided', () => {
    const ids: string[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 3; i++) {
        const id = await proposed(testApp);
        ids.push(id);
        for (const state of MEMBERS.slice(0, i + 2)) await signedOff(testApp, id, state).expect(201);
      }
    });

    it('serves a checkpoint signed by its key, whose root is the tree of the leaves, each an event hash', async () => {
      const key = await logKey();
      expect(key.name).toBe('accord.local/log');
      expect(key.type).toBe(0x01);
      const histories = await Promise.all(ids.map(historyOf));
      const events = histories.flat();
      const note = await checkpointCovering(events.length);
      expect(noteSignedBy(note, key)).toBe(true);
      const checkpoint = checkpointOf(note);
      expect(checkpoint.origin).toBe(key.name);

      const { leaves } = (await get(`/v1/log/leaves?start=0&end=${checkpoint.size}`).expect(200)).body;
      expect(leaves).toHaveLength(checkpoint.size);
      expect(leaves.map((leaf: { leafIndex: number }) => leaf.leafIndex)).toEqual([
        ...Array(checkpoint.size).keys(),
      ]);
      expect(rfcTreeHash(leaves.map((leaf: { hash: string }) => leafInput(leaf.hash)))).toEqual(
        checkpoint.root,
      );
      const hashByEvent = new Map(
        leaves.map((leaf: { eventId: string; hash: string }) => [leaf.eventId, leaf.hash]),
      );
      for (const event of events) expect(hashByEvent.get(event.eventId)).toBe(event.hash);
    });

    it('proves every event of several initiatives included, at several tree sizes', async () => {
      const events = (await Promise.all(ids.map(historyOf))).flat();
      const size = checkpointOf(await checkpointCovering(events.length)).size;
      const { leaves } = (await get(`/v1/log/leaves?start=0&end=${size}`).expect(200)).body;
      const inputs = leaves.map((leaf: { hash: string }) => leafInput(leaf.hash));
      for (const event of events) {
        const { leafIndex } = leaves.find((leaf: { eventId: string }) => leaf.eventId === event.eventId);
        for (const treeSize of new Set([leafIndex + 1, Math.ceil((leafIndex + 1 + size) / 2), size])) {
          const proof = (
            await get(`/v1/log/proof/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`).expect(200)
          ).body;
          expect(proof).toMatchObject({ leafIndex, treeSize });
          const root = rfcTreeHash(inputs.slice(0, treeSize));
          expect(
            rfcVerifyInclusion(leafIndex, treeSize, leafInput(event.hash), b64(proof.hashes), root),
          ).toBe(true);
        }
      }
      const byEvent = (
        await get(`/v1/log/proof/inclusion?eventId=${events[0].eventId}&treeSize=${size}`).expect(200)
      ).body;
      expect(byEvent.leafIndex).toBe(0);
    });

    it('proves a later checkpoint consistent with an earlier one, and a tampered proof fails', async () => {
      const events = (await Promise.all(ids.map(historyOf))).flat();
      const earlier = checkpointOf(await checkpointCovering(events.length));
      const id = await proposed(testApp);
      await signedOff(testApp, id, 'KAZ').expect(201);
      const later = checkpointOf(await checkpointCovering(earlier.size + 2));
      const { hashes } = (
        await get(`/v1/log/proof/consistency?from=${earlier.size}&to=${later.size}`).expect(200)
      ).body;
      expect(rfcVerifyConsistency(earlier.size, later.size, earlier.root, later.root, b64(hashes))).toBe(
        true,
      );
      const tampered = b64(hashes);
      tampered[0][0] ^= 1;
      expect(rfcVerifyConsistency(earlier.size, later.size, earlier.root, later.root, tampered)).toBe(false);
      const otherRoot = Buffer.from(earlier.root);
      otherRoot[31] ^= 1;
      expect(rfcVerifyConsistency(earlier.size, later.size, otherRoot, later.root, b64(hashes))).toBe(false);
    });

    it("exports bundles whose events are proved in the bundle's checkpoint, and pass the auditor's own verifier", async () => {
      const key = await logKey();
      for (const id of ids) {
        const bundle = (await get(`/v1/initiatives/${id}/audit-bundle`).expect(200)).body;
        expect(pythonVerify(bundle, testApp.dataDir).code).toBe(0);
        expect(noteSignedBy(bundle.log.checkpoint, key)).toBe(true);
        const { size, root } = checkpointOf(bundle.log.checkpoint);
        expect(bundle.log.leaves.map((leaf: { revision: number }) => leaf.revision)).toEqual(
          bundle.events.map((event: { revision: number }) => event.revision),
        );
        for (const leaf of bundle.log.leaves) {
          const event = bundle.events[leaf.revision];
          expect(
            rfcVerifyInclusion(leaf.leafIndex, size, leafInput(event.hash), b64(leaf.inclusionProof), root),
          ).toBe(true);
        }
      }
    });
  });

  describe('when a witness cosigns', () => {
    it("records a cosignature by the state's witness key and serves it with the checkpoint", async () => {
      await proposed(testApp);
      const note = await settledCheckpoint();
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      const line = signatureLine(text, witnessKey);
      const first = await testApp
        .http()
        .post('/v1/log/cosignatures')
        .set('authorization', witness)
        .send({ checkpoint: note, cosignature: line })
        .expect(201);
      expect(first.body).toMatchObject({
        country: 'KAZ',
        witness: 'witness.kaz.example',
        treeSize: checkpointOf(note).size,
      });
      await testApp
        .http()
        .post('/v1/log/cosignatures')
        .set('authorization', witness)
        .send({ checkpoint: note, cosignature: line })
        .expect(200);
      // The checkpoint is served from the read model: the cosignature shows once the projector applied it.
      let served = await get('/v1/log/checkpoint').expect(200);
      for (let attempt = 0; attempt < 50 && !served.text.includes('witness.kaz.example'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        served = await get('/v1/log/checkpoint').expect(200);
      }
      expect(served.text.startsWith(note)).toBe(true);
      expect(noteCosignedBy(served.text, parseVkey(verifierKeyOf(witnessKey)))).toBe(true);
      expect(served.text.match(/witness\.kaz\.example/g)).toHaveLength(1);
    });

    it('refuses a cosignature by a key the state did not name, or over a note the log did not sign', async () => {
      const note = await checkpointCovering(1);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      const post = (body: object) =>
        testApp.http().post('/v1/log/cosignatures').set('authorization', witness).send(body);
      const stranger = await post({ checkpoint: note, cosignature: signatureLine(text, strangerKey) }).expect(
        400,
      );
      expect(stranger.body.code).toBe('invalid-signature');
      const forged = note.replace(/\n(\d+)\n/, (_, size) => `\n${Number(size) + 1}\n`);
      const unsigned = await post({
        checkpoint: forged,
        cosignature: signatureLine(forged.slice(0, forged.indexOf('\n\n') + 1), witnessKey),
      }).expect(400);
      expect(unsigned.body.code).toBe('invalid-signature');
    });

    it('keeps witnesses to the log, and the log to witnesses', async () => {
      const note = await checkpointCovering(1);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      await testApp
        .http()
        .post('/v1/log/cosignatures')
        .set('authorization', testApp.auth('focal-point', 'KAZ'))
        .send({ checkpoint: note, cosignature: signatureLine(text, witnessKey) })
        .expect(403);
      await get('/v1/initiatives', witness).expect(403);
      await get('/v1/log/checkpoint', witness).expect(200);
      await get('/v1/parties', witness).expect(200);
    });
  });

  describe('when a witness and an auditor use the CLI against the API', () => {
    let url: string;
    let directory: string;
    beforeAll(async () => {
      await testApp.app.listen(0, '127.0.0.1');
      url = (await testApp.app.getUrl()).replace('[::1]', '127.0.0.1');
      directory = mkdtempSync(join(tmpdir(), 'accord-witness-'));
      writeFileSync(join(directory, 'witness.key'), `${witnessKey}\n`);
    });
    const cli = (args: string[], token: string) =>
      captureStdout(() => runCli([...args, '--url', url, '--token', token.replace('Bearer ', '')]));
    const witnessOnce = () =>
      cli(
        [
          'witness',
          '--key',
          join(directory, 'witness.key'),
          '--state',
          'KAZ',
          '--state-file',
          join(directory, 'state.json'),
          '--once',
        ],
        witness,
      );

    it('cosigns each checkpoint that extends the last, and the bundle verifies against a kept checkpoint', async () => {
      const id = await proposed(testApp);
      const kept = await settledCheckpoint();
      expect((await witnessOnce()).code).toBe(0);
      writeFileSync(join(directory, 'kept.txt'), kept);

      await signedOff(testApp, id, 'KAZ').expect(201);
      const later = await checkpointCovering(checkpointOf(kept).size + 1);
      expect((await witnessOnce()).code).toBe(0);
      let served = await get('/v1/log/checkpoint').expect(200);
      for (let attempt = 0; attempt < 50 && !served.text.includes('witness.kaz.example'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        served = await get('/v1/log/checkpoint').expect(200);
      }
      expect(checkpointOf(served.text).size).toBeGreaterThanOrEqual(checkpointOf(later).size);

      const bundle = (await get(`/v1/initiatives/${id}/audit-bundle`).expect(200)).body;
      const file = join(directory, 'bundle.json');
      writeFileSync(file, JSON.stringify(bundle));
      const logKey = (await get('/v1/log/key').expect(200)).text.trim();
      const verified = await cli(
        ['verify', file, '--log-key', logKey, '--checkpoint', join(directory, 'kept.txt')],
        testApp.auth('auditor'),
      );
      expect(verified).toMatchObject({ code: 0 });

      // A decision changed and the whole chain recomputed: the chain holds, only the log can tell.
      bundle.events[1].data.comment = 'rewritten';
      let prevHash = GENESIS_HASH;
      for (const event of bundle.events) {
        event.prevHash = prevHash;
        event.hash = eventHash({
          streamId: bundle.streamId,
          revision: event.revision,
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.metadata.schemaVersion,
          occurredAt: event.occurredAt,
          actor: event.actor,
          data: event.data,
          prevHash,
        });
        prevHash = event.hash;
      }
      bundle.headHash = prevHash;
      writeFileSync(file, JSON.stringify(bundle));
      expect((await captureStdout(() => runCli(['verify', file]))).code).toBe(0);
      expect(pythonVerify(bundle, directory).code).toBe(0);
      const tampered = await captureStdout(() => runCli(['verify', file, '--log-key', logKey]));
      expect(tampered.code).toBe(1);
      expect(tampered.output).toMatch(/revision 1/);
    });
  });

  describe('when asked for what is not there', () => {
    it('answers 404 for a tree larger than the log, and 400 for malformed ranges', async () => {
      await get('/v1/log/proof/consistency?from=1&to=100000').expect(404);
      await get('/v1/log/proof/inclusion?leafIndex=0&treeSize=100000').expect(404);
      await get('/v1/log/proof/consistency?from=3&to=2').expect(400);
      await get('/v1/log/proof/inclusion?leafIndex=x').expect(400);
      await get('/v1/log/proof/inclusion?leafIndex=1&treeSize=1').expect(400);
      await get('/v1/log/leaves?start=0&end=1001').expect(400);
      await get(`/v1/log/proof/inclusion?eventId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`).expect(
        404,
      );
    });
  });
});

/** A tlog-cosignature/v1 line, as a witness makes it. */
function signatureLine(checkpointText: string, skey: string): string {
  const signer = cosigner(skey);
  const signature = signer.sign(Buffer.from(checkpointText));
  return `— ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}`;
}
