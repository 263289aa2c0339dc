import { rebuildReadModel, RebuildProgress } from '@accord/read-model';
import { loadConfigOrExit, openEventStore, openReadStore } from '@accord/runtime';

const USAGE = 'Usage: accord projections rebuild\n';

/** `accord projections rebuild`: the read model from zero into fresh tables, swapped in atomically. */
export async function projectionsCommand(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'rebuild') {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfigOrExit();
  const eventStore = openEventStore(config);
  const readStore = await openReadStore(config);
  const report = progressReporter();
  try {
    const { events, seconds } = await rebuildReadModel(eventStore, readStore, { onProgress: report });
    report.finish();
    process.stdout.write(
      `Rebuilt the read model from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s); it is now live.\n`,
    );
    return 0;
  } finally {
    await readStore.close();
    await eventStore.close();
  }
}

/** On a terminal, one line rewritten in place; in a log, a line every few seconds. */
function progressReporter() {
  const terminal = process.stderr.isTTY === true;
  let lastLine = 0;
  const report = (progress: RebuildProgress) => {
    const now = Date.now();
    if (!terminal && now - lastLine < 5000) return;
    lastLine = now;
    const percent = progress.total > 0 ? ((100 * progress.done) / progress.total).toFixed(1) : '100.0';
    const left = progress.secondsLeft === null ? '?' : `${Math.ceil(progress.secondsLeft)} s`;
    const line = `rebuild: ${progress.done} of ${progress.total} events (${percent} %), ${Math.round(progress.eventsPerSecond)} events/s, ${left} left`;
    process.stderr.write(terminal ? `\r${line}\x1b[K` : `${line}\n`);
  };
  return Object.assign(report, {
    finish: () => {
      if (terminal) process.stderr.write('\n');
    },
  });
}
