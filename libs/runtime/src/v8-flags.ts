/**
 * The V8 flags Accord's processes run with. They are given by the processes themselves (`with-v8-flags.ts`,
 * `with-cli-v8-flags.ts`), so that every way of starting one — `npm start`, the image, the manifests, the `accord`
 * command, the benchmark — runs with them.
 */

// Node 24's V8 lets each of the young generation's two semi-spaces grow to 64 MB on a machine with a few GiB of
// memory (Node 20's: 16 MB). The young generation is mostly garbage between scavenges, yet all of it is resident:
// 118 MB of the API's memory under load. Back to Node 20's size.
const SEMI_SPACE = '--max-semi-space-size=16';

/** The servers' (apps/api, apps/projector, apps/relay). */
export const ACCORD_V8_FLAGS: readonly string[] = [
  SEMI_SPACE,
  // V8 lets the old generation grow up to 4 times its live size before a full collection, and keeps the pages it
  // then frees: the API, whose live heap is about 40 MB, reached 110-160 MB of old generation under load, mostly
  // garbage promoted from requests in flight. 1.5 times the live size instead: since the projector has a thread
  // (and a heap) of its own in the API, 100 % left the API within 10 MB of its 300 MB target under load; 50 % takes
  // 20-30 MB off it for about 3 % of its sign-off rate (bench/PROFILE.md). Not a limit: the heap still grows as far
  // as V8's (or the container's) maximum when the live data needs it.
  '--heap-growing-percent=50',
];

/**
 * The `accord` command's (apps/cli). Its heavy work is a batch — a rebuild reads the whole log, and keeps a few
 * batches of it and the rows it changed last alive at once — whose garbage a full collection every 1.5 times the
 * live size turned over 80 times in a rebuild of 1,000,000 events, on a core the read store's server needed: at 2.5
 * times, the rebuild takes 25 % less CPU and 10-15 % less time, for 40-80 MB more (bench/PROFILE.md).
 */
export const ACCORD_CLI_V8_FLAGS: readonly string[] = [SEMI_SPACE, '--heap-growing-percent=150'];

/** The flags of `wanted` that neither the command line (`execArgv`) nor NODE_OPTIONS sets, with any value. */
export function missingV8Flags(
  wanted: readonly string[],
  execArgv: readonly string[],
  nodeOptions = '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return wanted.filter((flag) => !given.has(flagName(flag)));
}

/** V8 reads `--max_semi_space_size` as `--max-semi-space-size`. */
function flagName(argument: string): string {
  return argument.split('=')[0].replaceAll('_', '-');
}

/**
 * A process started without these V8 flags replaces itself by the same command with them, before it loads anything
 * else. V8 sizes its heap when the process starts (v8.setFlagsFromString afterwards changes nothing of it), hence
 * the new process image; execve keeps the pid and the standard streams, so supervisors, signals and `kill` see one
 * process. A flag the command line or NODE_OPTIONS already sets keeps the value given there. Where process.execve
 * is missing (Windows, Node.js before 22.15) the process goes on with V8's own sizing.
 */
export function relaunchWithV8Flags(flags: readonly string[]): void {
  const missing = missingV8Flags(flags, process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length > 0 && process.execve)
    process.execve(process.execPath, [
      process.execPath,
      ...missing,
      ...process.execArgv,
      ...process.argv.slice(1),
    ]);
}
