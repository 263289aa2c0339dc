import fc from 'fast-check';
import { InMemoryEventStore } from '@accord/event-store';
import { isLogStream } from '@accord/domain';
import {
  generateSignerKey,
  leafInputOfChainHash,
  openCheckpoint,
  noteVerifier,
  treeHash,
  verifierKeyOf,
  verifyConsistency,
  verifyInclusion,
  leafHash,
} from '@accord/tlog';
import { CheckpointSigner } from '../../../runtime/src/checkpoint-signer';
import { TransparencyLogQueries } from '../queries/transparency-log-queries';
import { historyArbitrary, playHistory } from '../testing/random-history';
import { postgresBackend, ReadStoreBackend, sqliteBackend } from '../testing/read-store-backends';

describe.each<ReadStoreBackend>([sqliteBackend, postgresBackend])('$name transparency log', (backend) => {
  describe('when it followed a random history in uneven batches, checkpoints signed along the way', () => {
    it('holds the RFC 9162 tree of the initiative events in global order, with proofs that verify', async () => {
      const opened = await backend.open();
      try {
        const events = new InMemoryEventStore();
        const log = new TransparencyLogQueries(opened.store);
        const key = generateSignerKey('accord.test/log');
        const signer = new CheckpointSigner(events, log, key);
        let position = 0;
        const catchUp = async (batchSize: number) => {
          for (let batch = await events.readAll(position, batchSize); batch.length > 0;) {
            await opened.store.applyBatch(position, batch);
            position = batch[batch.length - 1].position;
            batch = await events.readAll(position, batchSize);
          }
        };
        const steps = fc.sample(historyArbitrary(1_500, 40), { numRuns: 1, seed: 20261129 })[0];
        const checkpoints: { size: number; root: Buffer }[] = [];
        await playHistory(events, steps, {
          afterEach: async (index) => {
            if (index % 41 !== 0) return;
            await catchUp(1 + (index % 300));
            const signed = await signer.signIfGrown();
            if (signed)
              checkpoints.push({ size: signed.treeSize, root: Buffer.from(signed.rootHash, 'base64') });
          },
        });
        await catchUp(500);

        const initiativeEvents = (await events.readAll(0, 1_000_000)).filter(
          (event) => !isLogStream(event.streamId),
        );
        const inputs = initiativeEvents.map((event) => leafInputOfChainHash(event.hash));
        const size = await log.treeSize();
        expect(size).toBe(inputs.length);
        expect(await log.root(size)).toEqual(treeHash(inputs));
        expect(checkpoints.length).toBeGreaterThan(10);

        const verifier = noteVerifier(verifierKeyOf(key));
        const latest = await log.latestCheckpoint();
        const signedNote = openCheckpoint(latest!.note, verifier);
        expect(signedNote.checkpoint.rootHash).toEqual(treeHash(inputs.slice(0, signedNote.checkpoint.size)));

        for (const { size: m, root } of checkpoints) {
          expect(root).toEqual(treeHash(inputs.slice(0, m)));
          expect(
            verifyConsistency(m, size, await log.consistencyProof(m, size), root, await log.root(size)),
          ).toBe(true);
          for (const index of [0, m - 1, Math.floor(m / 3)])
            expect(
              verifyInclusion(leafHash(inputs[index]), index, m, await log.inclusionProof(index, m), root),
            ).toBe(true);
        }
      } finally {
        await opened.dispose();
      }
    }, 120_000);
  });
});
