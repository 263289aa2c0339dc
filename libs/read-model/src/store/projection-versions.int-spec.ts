import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { InitiativeQueries } from '../queries/initiative-queries';
import { PortfolioQueries } from '../queries/portfolio-queries';
import { initiativesProjection } from '../projections/initiatives.projection';
import { portfolioProjection } from '../projections/portfolio.projection';
import { ReadStore } from './read-store';

const proposal = (initiativeId: string, position: number) => ({
  streamId: `initiative-${initiativeId}`,
  revision: 0,
  position,
  eventId: randomUUID(),
  type: 'InitiativeProposed',
  occurredAt: '2026-03-01T09:00:00.000Z',
  actor: { sub: 'secretary-general', role: 'secretariat', country: null },
  data: {
    initiativeId,
    title: 'CubeSat programme',
    summary: 'A constellation',
    category: 'space',
    proposingState: 'AZE',
    participatingStates: ['AZE', 'KAZ'],
    approvalRule: { kind: 'unanimity' },
    signOffDeadline: '2026-06-30T00:00:00.000Z',
    requestedFunding: null,
    proposalVersion: 1,
  },
  metadata: { correlationId: 'c', causationId: null, schemaVersion: 1, idempotencyKey: null },
  prevHash: '',
  // Any 32 bytes: the transparency log takes every event's hash as a leaf.
  hash: randomBytes(32).toString('hex'),
});

describe('Projection versions in a read store', () => {
  let directory: string;
  let file: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'accord-versions-'));
    file = join(directory, 'read-model.db');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  describe('when a projection comes with a version its tables were not built by', () => {
    it('starts that projection again from the beginning of the log, and leaves the others', async () => {
      const older = ReadStore.sqlite(file, [{ ...initiativesProjection, version: 1 }, portfolioProjection]);
      await older.migrate();
      await older.applyBatch(0, [proposal(randomUUID(), 1), proposal(randomUUID(), 2)]);
      await older.close();

      const store = ReadStore.sqlite(file);
      await store.migrate();
      expect(await store.checkpoint()).toBe(0);
      expect((await new InitiativeQueries(store).list({ limit: 10 })).rows).toEqual([]);
      expect(await new PortfolioQueries(store).counts()).toEqual([
        { status: 'awaiting-sign-offs', category: 'space', initiatives: 2 },
      ]);
      // The projector then catches the projection up; the portfolio skips what it has seen.
      await store.applyBatch(0, [proposal(randomUUID(), 1), proposal(randomUUID(), 2)]);
      expect((await new InitiativeQueries(store).list({ limit: 10 })).rows).toHaveLength(2);
      expect((await new PortfolioQueries(store).counts())[0].initiatives).toBe(2);
      await store.close();
    });
  });

  describe('when the store was written before projections had versions', () => {
    it('takes its initiatives tables for version 1, and adds the projections it lacks', async () => {
      const legacy = new Database(file);
      legacy.exec(`
        CREATE TABLE initiative_views (initiative_id text primary key, state text not null);
        CREATE TABLE projection_checkpoints (name text primary key, position bigint not null);
        INSERT INTO initiative_views VALUES ('x', '{}');
        INSERT INTO projection_checkpoints VALUES ('initiatives', 7);
      `);
      legacy.close();

      const store = ReadStore.sqlite(file);
      await store.migrate();
      expect(await store.checkpoint()).toBe(0);
      expect((await new InitiativeQueries(store).list({ limit: 10 })).rows).toEqual([]);
      expect(await new PortfolioQueries(store).counts()).toEqual([]);
      await store.close();
    });
  });
});
