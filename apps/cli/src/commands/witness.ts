import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { STATE_CODE } from '@accord/domain';
import {
  Checkpoint,
  cosigner,
  formatSignatureLine,
  NoteSigner,
  noteVerifier,
  openCheckpoint,
  parseVerifierKey,
  TlogFormatError,
  verifyConsistency,
} from '@accord/tlog';
import { untilInterrupted } from '../until-interrupted';
import { isHttpUrl, LogClient, LogRequestError, readLogKey, tokenFrom } from '../log-client';

const USAGE = `Usage: accord witness --url URL --key FILE --state CODE [--token TOKEN] [--log-key VKEY|FILE]
                      [--state-file FILE] [--once] [--interval SECONDS]
  --url         the Accord server, e.g. https://accord.example.org
  --key         the witness's private key (accord keys witness --name NAME)
  --state       the member state whose witness this is (its token's country)
  --token       a bearer token of role witness for that state (default: ACCORD_TOKEN)
  --log-key     the log's verifier key, or a file holding it. Without it, the key the server serves
                (GET /v1/log/key) is trusted on first contact. Either way it is pinned in the state file:
                a different key later is refused
  --state-file  the last checkpoint cosigned and the pinned key (default: accord-witness-CODE.json here)
  --once        one round; exit 0 when cosigned or nothing new, 1 when refused or the log is unreachable
  --interval    seconds between rounds without --once (default 10)
Cosigns each checkpoint of the log that extends the one it cosigned last; refuses any other, saying why.
`;

/** The witness's memory between rounds (and runs), written atomically after every change. */
interface WitnessState {
  format: typeof STATE_FORMAT;
  /** The log's vkey, pinned on first contact. */
  logKey: string;
  /** The signed note of the last checkpoint cosigned, as the log served it. */
  cosigned: string;
  /** The cosignature line of it. */
  cosignature: string;
  /** Whether the log took the cosignature; until it has, each round posts it again. */
  posted: boolean;
}

const STATE_FORMAT = 'accord-witness-state/1';

export interface WitnessOptions {
  url: string;
  token: string;
  keyFile: string;
  stateFile: string;
  /** The log key given on the command line, checked against the pinned one. */
  logKey?: string;
  once: boolean;
  intervalSeconds: number;
}

export type WitnessOutcome =
  | { kind: 'cosigned'; checkpoint: Checkpoint; pinnedKey?: string }
  | { kind: 'unchanged'; checkpoint: Checkpoint }
  /** The alarm: the log served a checkpoint that it must not have, and the witness did not cosign it. */
  | { kind: 'refused'; reason: string }
  /** The round could not decide: the log unreachable, the state file unreadable. */
  | { kind: 'failed'; reason: string };

/** An unreadable state file: never overwritten, for an operator to look at. */
class WitnessStateError extends Error {
  override readonly name = 'WitnessStateError';
}

/**
 * `accord witness`: a member state's witness of the transparency log (trust.md §4). Each round it fetches the
 * latest checkpoint, checks the log's signature and that the tree extends the one it cosigned last, then cosigns
 * (tlog-cosignature/v1) and posts the cosignature. What it refuses it names on stderr; with --once that is exit 1,
 * the alarm a state acts on.
 */
export async function witnessCommand(args: string[]): Promise<number> {
  const options = parseWitnessArgs(args, process.env);
  if (typeof options === 'string') {
    process.stderr.write(`accord witness: ${options}\n${USAGE}`);
    return 2;
  }
  return untilInterrupted((signal) =>
    runWitness(options, {
      signal,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`accord witness: ${line}\n`),
    }),
  );
}

export function parseWitnessArgs(
  args: string[],
  env: Record<string, string | undefined>,
): WitnessOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        token: { type: 'string' },
        'log-key': { type: 'string' },
        'state-file': { type: 'string' },
        once: { type: 'boolean', default: false },
        interval: { type: 'string', default: '10' },
      },
      strict: true,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const { url, key, state } = values;
  if (!url || !isHttpUrl(url)) return '--url must be the http(s) URL of the Accord server';
  if (!key) return '--key FILE is required: the witness private key (accord keys witness)';
  if (!state || !STATE_CODE.test(state)) return "--state must be a member state's ISO 3166-1 alpha-3 code";
  const token = tokenFrom(values.token, env);
  if (!token) return 'a bearer token is required: --token TOKEN or ACCORD_TOKEN';
  const intervalSeconds = Number(values.interval);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds <= 0)
    return '--interval must be a positive number';
  let logKey: string | undefined;
  try {
    logKey = values['log-key'] === undefined ? undefined : readLogKey(values['log-key']);
  } catch (error) {
    return (error as Error).message;
  }
  return {
    url,
    token,
    keyFile: key,
    stateFile: resolve(values['state-file'] ?? `accord-witness-${state}.json`),
    ...(logKey !== undefined && { logKey }),
    once: values.once,
    intervalSeconds,
  };
}

/** Runs one round with --once (its exit code), else rounds every interval until `signal` aborts (exit 0). */
export async function runWitness(
  options: WitnessOptions,
  io: { signal: AbortSignal; out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  let signer: NoteSigner;
  try {
    signer = cosigner(readFileSync(options.keyFile, 'utf8').trim());
  } catch (error) {
    io.err(`${options.keyFile}: not a witness key: ${(error as Error).message}`);
    return 1;
  }
  const client = new LogClient(options.url, options.token);
  const stamp = (line: string) => (options.once ? line : `${new Date().toISOString()} ${line}`);
  for (;;) {
    const outcome = await witnessRound(options, client, signer);
    report(outcome, options.once, {
      out: (line) => io.out(stamp(line)),
      err: (line) => io.err(stamp(line)),
    });
    if (options.once) return outcome.kind === 'cosigned' || outcome.kind === 'unchanged' ? 0 : 1;
    try {
      await sleep(options.intervalSeconds * 1000, undefined, { signal: io.signal });
    } catch {
      return 0; // stopped
    }
  }
}

function report(
  outcome: WitnessOutcome,
  once: boolean,
  io: { out: (line: string) => void; err: (line: string) => void },
): void {
  switch (outcome.kind) {
    case 'cosigned': {
      const { origin, size, rootHash } = outcome.checkpoint;
      if (outcome.pinnedKey)
        io.err(
          `pinned the log key ${outcome.pinnedKey} as the server serves it (first contact; --log-key checks it ` +
            'against a key obtained otherwise)',
        );
      io.out(`cosigned ${origin} at size ${size}, root ${rootHash.toString('base64')}`);
      break;
    }
    case 'unchanged':
      // Rounds without news every few seconds would drown the log of a long-running witness.
      if (once)
        io.out(`nothing new: ${outcome.checkpoint.origin} at size ${outcome.checkpoint.size} is cosigned`);
      break;
    case 'refused':
      io.err(`refused: ${outcome.reason}`);
      break;
    case 'failed':
      io.err(outcome.reason);
      break;
  }
}

/** One round: fetch, check, cosign, post. Nothing is posted unless the checkpoint extends the last one cosigned. */
async function witnessRound(
  options: Pick<WitnessOptions, 'stateFile' | 'logKey'>,
  client: LogClient,
  signer: NoteSigner,
): Promise<WitnessOutcome> {
  try {
    return await decideAndCosign(options, client, signer);
  } catch (error) {
    if (error instanceof LogRequestError || error instanceof WitnessStateError)
      return { kind: 'failed', reason: error.message };
    throw error;
  }
}

async function decideAndCosign(
  { stateFile, logKey }: Pick<WitnessOptions, 'stateFile' | 'logKey'>,
  client: LogClient,
  signer: NoteSigner,
): Promise<WitnessOutcome> {
  const refused = (reason: string): WitnessOutcome => ({ kind: 'refused', reason });
  const state = readState(stateFile);
  if (state && logKey !== undefined && !sameKey(logKey, state.logKey))
    return refused(`--log-key ${logKey} is not the log key pinned in ${stateFile}: ${state.logKey}`);
  const served = await client.key();
  if (!isLogKey(served))
    return refused(`the server's log key is not an Ed25519 note verifier key: ${served}`);
  const trusted = state?.logKey ?? logKey ?? served;
  if (!sameKey(served, trusted))
    return refused(`the log key changed: the server serves ${served}, the witness trusts ${trusted}`);
  const verifier = noteVerifier(trusted);

  const note = await client.checkpoint();
  let checkpoint: Checkpoint;
  let text: string;
  try {
    ({ checkpoint, text } = openCheckpoint(note, verifier));
  } catch (error) {
    if (!(error instanceof TlogFormatError)) throw error;
    return refused(`the checkpoint is not signed by ${verifier.name}: ${error.message}`);
  }

  if (state) {
    const last = cosignedCheckpoint(state, stateFile);
    const [n, m] = [checkpoint.size, last.size];
    if (n < m)
      return refused(
        `inconsistent: checkpoint of size ${n} is smaller than the cosigned checkpoint of size ${m}`,
      );
    if (n === m && !checkpoint.rootHash.equals(last.rootHash)) {
      return refused(
        `inconsistent: checkpoint of size ${n} has root ${checkpoint.rootHash.toString('base64')}, the cosigned ` +
          `checkpoint of that size ${last.rootHash.toString('base64')}`,
      );
    }
    if (n === m) {
      if (state.posted) return { kind: 'unchanged', checkpoint };
      await client.postCosignature(state.cosigned, state.cosignature);
      writeState(stateFile, { ...state, posted: true });
      return { kind: 'cosigned', checkpoint };
    }
    const proof = m === 0 ? [] : await client.consistencyProof(m, n);
    if (!verifyConsistency(m, n, proof, last.rootHash, checkpoint.rootHash))
      return refused(
        `inconsistent: checkpoint of size ${n} does not extend the cosigned checkpoint of size ${m}`,
      );
  }

  const cosignature = formatSignatureLine({
    name: signer.name,
    keyId: signer.keyId,
    signature: signer.sign(Buffer.from(text, 'utf8')),
  });
  // Saved before it is posted: once a cosignature may have left, no checkpoint inconsistent with it is cosigned.
  const next: WitnessState = {
    format: STATE_FORMAT,
    logKey: trusted,
    cosigned: note,
    cosignature,
    posted: false,
  };
  writeState(stateFile, next);
  await client.postCosignature(note, cosignature);
  writeState(stateFile, { ...next, posted: true });
  const pinnedKey = state === undefined && logKey === undefined ? trusted : undefined;
  return { kind: 'cosigned', checkpoint, ...(pinnedKey && { pinnedKey }) };
}

function isLogKey(vkey: string): boolean {
  try {
    noteVerifier(vkey);
    return true;
  } catch {
    return false;
  }
}

/** Whether two vkeys are the same key; a malformed one is no key. */
function sameKey(a: string, b: string): boolean {
  try {
    const [x, y] = [parseVerifierKey(a), parseVerifierKey(b)];
    return x.name === y.name && x.type === y.type && x.publicKey.equals(y.publicKey);
  } catch {
    return false;
  }
}

function cosignedCheckpoint(state: WitnessState, stateFile: string): Checkpoint {
  try {
    return openCheckpoint(state.cosigned, noteVerifier(state.logKey)).checkpoint;
  } catch (error) {
    throw new WitnessStateError(
      `${stateFile}: the cosigned checkpoint does not open: ${(error as Error).message}`,
    );
  }
}

/** The state file, or undefined before the first cosignature. */
function readState(file: string): WitnessState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WitnessStateError(`${file}: ${(error as Error).message}`);
  }
  let state: Partial<WitnessState>;
  try {
    state = JSON.parse(text) as Partial<WitnessState>;
  } catch {
    throw new WitnessStateError(`${file}: not JSON`);
  }
  const strings = [state?.logKey, state?.cosigned, state?.cosignature];
  if (
    state?.format !== STATE_FORMAT ||
    !strings.every((value) => typeof value === 'string') ||
    typeof state.posted !== 'boolean'
  )
    throw new WitnessStateError(`${file}: not a witness state (${STATE_FORMAT})`);
  return state as WitnessState;
}

/** Writes the state whole or not at all: a temporary file beside it, flushed, renamed over it. */
function writeState(file: string, state: WitnessState): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const descriptor = openSync(temporary, 'w', 0o644);
    try {
      writeSync(descriptor, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new WitnessStateError(`cannot write ${file}: ${(error as Error).message}`);
  }
}
