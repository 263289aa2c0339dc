/**
 * The V8 flags every Accord process runs with (apps/*: the API, the projector, the relay, the CLI). They are given
 * by the processes themselves (`with-v8-flags.ts`), so that every way of starting one — `npm start`, the image, the
 * manifests, the `accord` command, the benchmark — runs with them.
 */
export const ACCORD_V8_FLAGS: readonly string[] = [
  // Node 24's V8 lets each of the young generation's two semi-spaces grow to 64 MB on a machine with a few GiB of
  // memory (Node 20's: 16 MB). The young generation is mostly garbage between scavenges, yet all of it is resident:
  // 118 MB of the API's memory under load. Back to Node 20's size.
  '--max-semi-space-size=16',
  // V8 lets the old generation grow up to 4 times its live size before a full collection, and keeps the pages it
  // then frees: the API, whose live heap is about 40 MB, reached 110-160 MB of old generation under load, mostly
  // garbage promoted from requests in flight. 1.5 times the live size instead: since the projector has a thread
  // (and a heap) of its own in the API, 100 % left the API within 10 MB of its 300 MB target under load; 50 % takes
  // 20-30 MB off it for about 3 % of its sign-off rate, and the rebuild measured the same with either
  // (bench/PROFILE.md). Not a limit: the heap still grows as far as V8's (or the container's) maximum when the live
  // data needs it.
  '--heap-growing-percent=50',
];

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
