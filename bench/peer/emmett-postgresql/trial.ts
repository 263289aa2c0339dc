/**
 * One P3b trial, in a process of its own (as P3's): Emmett's PostgreSQL event store on a fresh database.
 *
 *   node -r ts-node/register/transpile-only bench/peer/emmett-postgresql/trial.ts URL CONCURRENCY APPENDS [probe]
 *
 * `CONCURRENCY` appenders, each on its own stream at its expected version, append `APPENDS` events in all, one per
 * call, through `getPostgreSQLEventStore(URL).appendToStream`, on a pool of `CONCURRENCY` connections (each
 * appender can hold one: Emmett's default pool would cap it at 10). Emmett's schema is created before the clock
 * starts. Prints one JSON line. With `probe`, the first append also reads the durability PostgreSQL commits it
 * with (`synchronous_commit`, `fsync`, `wal_sync_method`), inside Emmett's own append transaction.
 */
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { appendWorkload, runTrialProcess, TrialOutcome } from '../../lib/peer-workload';

const DURABILITY_SETTINGS = ['synchronous_commit', 'fsync', 'wal_sync_method'] as const;

async function trial(): Promise<TrialOutcome> {
  const [url, concurrencyArg, appendsArg, probeArg] = process.argv.slice(2);
  const probe = probeArg === 'probe';
  const concurrency = Number(concurrencyArg);
  const appends = Number(appendsArg);
  const pool = new Pool({ connectionString: url, max: concurrency });
  let settings: Record<string, string> | null = null;
  const store = getPostgreSQLEventStore(url, {
    connectionOptions: { pool },
    // An inline projection runs inside Emmett's append transaction, on its connection: only to read the settings.
    projections: probe
      ? [
          {
            type: 'inline',
            projection: {
              canHandle: ['NationalSignOffRecorded'],
              handle: async (_events, { connection }) => {
                if (settings) return;
                settings = {};
                for (const name of DURABILITY_SETTINGS) {
                  const { rows } = await connection.client.query<Record<string, string>>(`SHOW ${name}`);
                  settings[name] = rows[0][name];
                }
              },
            },
          },
        ]
      : [],
  });
  await store.schema.migrate();
  const workload = await appendWorkload(
    async (streamName, message, expected) =>
      (await store.appendToStream(streamName, [message], { expectedStreamVersion: expected }))
        .nextExpectedStreamVersion,
    appends,
    concurrency,
  );
  await store.close();
  return { concurrency, workload, settings };
}

runTrialProcess(trial);
