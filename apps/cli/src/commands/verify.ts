import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyBundle } from '@accord/audit';
import { checkRecordedSignature, PartyJwk, RecordedDecision } from '@accord/trust';

const USAGE = 'Usage: accord verify FILE [--keys JWKS_FILE]\n';

/**
 * Verifies an audit bundle offline: the hash chain and its head, then every signed decision against the keys the
 * bundle carries — or, with `--keys`, against the auditor's own trusted JWKS, which wins. Exit 0 and the head hash,
 * or exit 1 naming each revision that fails.
 */
export async function verifyCommand(args: string[]): Promise<number> {
  let file: string | undefined;
  let keysFile: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { keys: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new Error('one FILE');
    [file] = positionals;
    keysFile = values.keys;
  } catch {
    process.stderr.write(USAGE);
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
  const events = (bundle as { events: RecordedDecision[] }).events;
  const failed = [];
  for (const event of events) {
    const check = await checkRecordedSignature(event, keys);
    if (check.signature === 'invalid')
      failed.push(`signature invalid at revision ${check.revision}: ${check.reason}`);
  }
  if (failed.length > 0) {
    process.stdout.write(`${failed.join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`${result.headHash}\n`);
  return 0;
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
