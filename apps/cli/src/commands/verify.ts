import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChainedEvent, checkKeptCheckpoint, verifyBundle, verifyBundleLog } from '@accord/audit';
import { NoteVerifier, noteVerifier } from '@accord/tlog';
import { checkRecordedSignature, PartyJwk, RecordedDecision } from '@accord/trust';
import { isHttpUrl, LogClient, LogRequestError, readLogKey, tokenFrom } from '../log-client';

const USAGE = `Usage: accord verify FILE [--keys JWKS_FILE] [--log-key VKEY|FILE [--checkpoint FILE [--url URL [--token TOKEN]]]]
  --keys        the auditor's trusted JWKS for signed decisions (default: the keys the bundle carries)
  --log-key     the transparency log's verifier key, or a file holding it: check the bundle's log section
  --checkpoint  a later signed checkpoint of the log the auditor kept: check that both trees are consistent
  --url         the Accord server to fetch the consistency proof from when their sizes differ
  --token       its bearer token (default: ACCORD_TOKEN)
`;

interface LogOptions {
  logKey: NoteVerifier;
  checkpointFile?: string;
  client?: LogClient;
}

/**
 * Verifies an audit bundle offline: the hash chain and its head, then every signed decision against the keys the
 * bundle carries — or, with `--keys`, against the auditor's own trusted JWKS, which wins; with `--log-key`, that
 * every event is in the signed checkpoint's tree and, with `--checkpoint`, that this tree and a kept one are
 * consistent. Exit 0 and the head hash, or exit 1 naming each revision or check that fails.
 */
export async function verifyCommand(args: string[]): Promise<number> {
  let file: string | undefined;
  let keysFile: string | undefined;
  let logOptions: LogOptions | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: {
        keys: { type: 'string' },
        'log-key': { type: 'string' },
        checkpoint: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new Error('one bundle FILE to verify');
    [file] = positionals;
    keysFile = values.keys;
    logOptions = parseLogOptions(values);
  } catch (error) {
    process.stderr.write(`accord verify: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const bundle = readJson(file as string);
  const trusted = keysFile === undefined ? undefined : readJson(keysFile);
  if (bundle === undefined || (keysFile !== undefined && trusted === undefined)) return 1;
  const result = verifyBundle(bundle);
  if (result.kind === 'unreadable') {
    process.stderr.write(`${file}: not an audit bundle: ${result.reason}\n`);
    return 1;
  }
  if (!result.verified) {
    process.stdout.write(`broken at revision ${result.brokenAtRevision}\n`);
    return 1;
  }
  if (!result.headHashMatches) {
    process.stdout.write(`head hash does not match the chain's ${result.headHash}\n`);
    return 1;
  }
  const keys = jwksKeys(trusted ?? (bundle as { keys?: unknown }).keys);
  const events = (bundle as { events: (RecordedDecision & ChainedEvent)[] }).events;
  const failed = [];
  for (const event of events) {
    const check = await checkRecordedSignature(event, keys);
    if (check.signature === 'invalid')
      failed.push(`signature invalid at revision ${check.revision}: ${check.reason}`);
  }
  const log = (bundle as { log?: unknown }).log;
  if (logOptions) {
    const logFailures = await checkLog(events, log, logOptions);
    if (logFailures === undefined) return 1;
    failed.push(...logFailures);
  } else if (log !== undefined) {
    process.stderr.write('log: not checked (--log-key checks it)\n');
  }
  if (failed.length > 0) {
    process.stdout.write(`${failed.join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`${result.headHash}\n`);
  return 0;
}

/** The log checks asked for, or undefined; throws on a combination that cannot be honoured. */
function parseLogOptions(values: {
  'log-key'?: string;
  checkpoint?: string;
  url?: string;
  token?: string;
}): LogOptions | undefined {
  const { checkpoint, url } = values;
  if (values['log-key'] === undefined) {
    if (checkpoint !== undefined || url !== undefined)
      throw new Error('--checkpoint and --url need --log-key');
    return undefined;
  }
  if (url !== undefined && checkpoint === undefined) throw new Error('--url needs --checkpoint');
  if (url !== undefined && !isHttpUrl(url))
    throw new Error('--url must be the http(s) URL of the Accord server');
  const token = tokenFrom(values.token, process.env);
  if (url !== undefined && token === undefined)
    throw new Error('--url needs a bearer token: --token or ACCORD_TOKEN');
  return {
    logKey: noteVerifier(readLogKey(values['log-key'])),
    ...(checkpoint !== undefined && { checkpointFile: checkpoint }),
    ...(url !== undefined && token !== undefined && { client: new LogClient(url, token) }),
  };
}

/**
 * The failures of the bundle's log section, none when it holds (said on stderr); undefined when the kept checkpoint
 * file cannot be read.
 */
async function checkLog(
  events: readonly ChainedEvent[],
  log: unknown,
  { logKey, checkpointFile, client }: LogOptions,
): Promise<string[] | undefined> {
  if (log === undefined) return ['no log section in the bundle: nothing proves its events are in the log'];
  const inclusion = verifyBundleLog(events, log, logKey);
  if (!inclusion.verified) return inclusion.problems;
  const { checkpoint } = inclusion;
  process.stderr.write(
    `log: every event is in the tree of size ${checkpoint.size} signed by ${logKey.name}\n`,
  );
  if (checkpointFile === undefined) return [];
  let keptNote: string;
  try {
    keptNote = readFileSync(checkpointFile, 'utf8');
  } catch (error) {
    process.stderr.write(`${checkpointFile}: not a readable file (${(error as Error).message})\n`);
    return undefined;
  }
  let kept = checkKeptCheckpoint(checkpoint, keptNote, logKey);
  if (kept.kind === 'proof-needed') {
    const { from, to, kept: keptCheckpoint } = kept;
    const notChecked = `consistency with the kept checkpoint of size ${keptCheckpoint.size} not checked`;
    if (!client) return [`${notChecked}: --url is needed to fetch the proof from ${from} to ${to}`];
    try {
      kept = checkKeptCheckpoint(checkpoint, keptNote, logKey, await client.consistencyProof(from, to));
    } catch (error) {
      if (!(error instanceof LogRequestError)) throw error;
      return [`${notChecked}: ${error.message}`];
    }
  }
  if (kept.kind === 'inconsistent') return [kept.problem];
  if (kept.kind === 'consistent')
    process.stderr.write(`log: consistent with the kept checkpoint of size ${kept.kept.size}\n`);
  return [];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`${file}: not a readable JSON file (${(error as Error).message})\n`);
    return undefined;
  }
}

/** The keys of a JWKS ({"keys": [...]}, each naming its party); none when it holds none. */
function jwksKeys(jwks: unknown): PartyJwk[] {
  const keys = (jwks as { keys?: unknown } | undefined)?.keys;
  return Array.isArray(keys) ? (keys as PartyJwk[]) : [];
}
