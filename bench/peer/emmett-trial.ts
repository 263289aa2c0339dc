/**
 * One P3 trial, in a process of its own (Emmett's SQLite store can fail with SQLITE_MISUSE, or crash the process
 * through an unhandled sqlite3 'error' event, under concurrent appenders):
 *
 *   node -r ts-node/register/transpile-only bench/peer/emmett-trial.ts FILE CONCURRENCY APPENDS [probe]
 *
 * `CONCURRENCY` appenders, each on its own stream at its expected version, append `APPENDS` events in all, one
 * per call, through `getSQLiteEventStore({ fileName }).appendToStream`. Prints one JSON line. With `probe`, the
 * first append also reads the journal mode and synchronous setting Emmett commits with.
 */
import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { appendWorkload, runTrialProcess, TrialOutcome } from '../lib/peer-workload';

async function trial(): Promise<TrialOutcome> {
  const [file, concurrencyArg, appendsArg, probeArg] = process.argv.slice(2);
  // Reading the pragmas inside Emmett's transaction is itself a statement in flight there: only when asked.
  const probe = probeArg === 'probe';
  const concurrency = Number(concurrencyArg);
  const appends = Number(appendsArg);
  let settings: Record<string, unknown> | null = null;
  const store = getSQLiteEventStore({
    fileName: file,
    hooks: {
      // Runs inside Emmett's append transaction, on its connection: what durability does it commit with?
      onBeforeCommit: async (_messages, { connection }) => {
        if (settings || !probe) return;
        settings = {
          journal_mode: (await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode'))
            ?.journal_mode,
          synchronous: (await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous'))
            ?.synchronous,
        };
      },
    },
  });
  // Emmett logs every failed transaction with console.log: count them instead.
  const logged: string[] = [];
  console.log = (...args: unknown[]) => void logged.push(args.map(String).join(' ').slice(0, 200));
  const workload = await appendWorkload(
    async (streamName, message, expected) =>
      (await store.appendToStream(streamName, [message], { expectedStreamVersion: expected }))
        .nextExpectedStreamVersion,
    appends,
    concurrency,
  );
  return { concurrency, workload, settings, extra: { logged: logged.length } };
}

runTrialProcess(trial);
