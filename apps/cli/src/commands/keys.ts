import { closeSync, fchmodSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BODY_CODES, KEY_ALGORITHMS, KeyAlgorithm, PartiesEntry, STATE_CODE } from '@accord/domain';
import { loadConfigOrExit } from '@accord/runtime';
import { readKeyFile } from './sign';
import { generateSigningKey, publicJwk, thumbprint } from '@accord/trust';
import { COSIGNATURE_V1, generateSignerKey, isValidKeyName, verifierKeyOf } from '@accord/tlog';

const USAGE =
  'Usage: accord keys generate --party CODE [--alg EdDSA|ES256] [--kid KID] [--out FILE]\n' +
  '       accord keys parties DIR\n' +
  '       accord keys witness --name NAME [--out FILE]\n' +
  '       accord keys log --origin NAME [--out FILE]\n';
/** A kid given on the command line: it names the default file too. */
const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * `accord keys generate`: a new signing key for a state or a body. The private JWK (with kid, alg and party) goes to
 * a new file of mode 0600; the public JWK, one JSON line for the party's `keys` in the parties file, to stdout.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'parties') return partiesCommand(rest);
  if (subcommand === 'witness') return witnessKeyCommand(rest);
  if (subcommand === 'log') return logKeyCommand(rest);
  if (subcommand !== 'generate') return usage();
  let values: { party?: string; alg?: string; kid?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        party: { type: 'string' },
        alg: { type: 'string', default: 'EdDSA' },
        kid: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  const { party, kid: givenKid, out } = values;
  const alg = values.alg as KeyAlgorithm;
  if (!party || !(STATE_CODE.test(party) || BODY_CODES.includes(party as never)))
    return usage(`--party must be a state's ISO 3166-1 alpha-3 code or ${BODY_CODES.join(' or ')}`);
  if (!KEY_ALGORITHMS.includes(alg)) return usage(`--alg must be ${KEY_ALGORITHMS.join(' or ')}`);
  if (givenKid !== undefined && !KID.test(givenKid))
    return usage('--kid must be 1 to 100 letters, digits, dots, dashes or underscores');

  const key = generateSigningKey(alg);
  // Without --kid, the key's RFC 7638 thumbprint names it.
  const kid = givenKid ?? thumbprint(key);
  const file = resolve(out ?? `${party}-${kid}.private.jwk.json`);
  const { kty, crv, x, y, d } = key;
  const privateFile = { kid, alg, party, kty, crv, x, ...(y !== undefined && { y }), d };
  if (!writeNewKeyFile(file, `${JSON.stringify(privateFile, null, 2)}\n`)) return 1;
  process.stdout.write(`${JSON.stringify(publicJwk({ ...key, kid }))}\n`);
  process.stderr.write(
    `Wrote the private key of ${party} to ${file} (mode 0600): keep it secret, never in the parties file.\n` +
      `Add the public key printed above to the keys of ${party} in the parties file.\n`,
  );
  return 0;
}

/**
 * `accord keys witness --name NAME`: a new witness key (trust.md §4), a C2SP signer key of type 0x04 for
 * tlog-cosignature/v1, to a new file of mode 0600 (by default NAME.witness.key here, characters of NAME other
 * than letters, digits, dots, dashes and underscores as underscores); its vkey, for the `witnessKeys` of the
 * state in the parties file, to stdout.
 */
function witnessKeyCommand(args: string[]): number {
  const parsed = parseKeyName(args, 'name', 'witness.kaz.example');
  if (typeof parsed === 'number') return parsed;
  const { name, out } = parsed;
  const skey = generateSignerKey(name, COSIGNATURE_V1);
  const file = resolve(out ?? `${fileNameOf(name)}.witness.key`);
  if (!writeNewKeyFile(file, `${skey}\n`)) return 1;
  process.stdout.write(`${verifierKeyOf(skey)}\n`);
  process.stderr.write(
    `Wrote the witness private key ${name} to ${file} (mode 0600): keep it secret; accord witness --key reads it.\n` +
      "Add the verifier key printed above to the witnessKeys of the witness's state in the parties file.\n",
  );
  return 0;
}

/**
 * `accord keys log --origin NAME`: a new key of the transparency log (trust.md §4), a C2SP signer key of type 0x01
 * named after the log's origin, to a new file of mode 0600 (by default NAME.log.key here, named as for a witness);
 * its vkey to stdout. A deployment of several processes sets both, so that every process holds the same key: the
 * projector signs with ACCORD_LOG_PRIVATE_KEY, the API serves ACCORD_LOG_PUBLIC_KEY.
 */
function logKeyCommand(args: string[]): number {
  const parsed = parseKeyName(args, 'origin', 'accord.example.org/log');
  if (typeof parsed === 'number') return parsed;
  const { name: origin, out } = parsed;
  const skey = generateSignerKey(origin);
  const file = resolve(out ?? `${fileNameOf(origin)}.log.key`);
  if (!writeNewKeyFile(file, `${skey}\n`)) return 1;
  process.stdout.write(`${verifierKeyOf(skey)}\n`);
  process.stderr.write(
    `Wrote the private key of the log ${origin} to ${file} (mode 0600): keep it secret. It is\n` +
      'ACCORD_LOG_PRIVATE_KEY of the process that signs checkpoints (the projector); the verifier key printed\n' +
      `above is ACCORD_LOG_PUBLIC_KEY, for the API. Wherever either is set, ACCORD_LOG_ORIGIN must be ${origin}.\n`,
  );
  return 0;
}

/** The key's name (given as --name or --origin) and --out, or the exit code of a usage error. */
function parseKeyName(
  args: string[],
  option: 'name' | 'origin',
  example: string,
): { name: string; out?: string } | number {
  let values: { [key: string]: string | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { [option]: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  const name = values[option];
  if (name === undefined || !isValidKeyName(name))
    return usage(`--${option} must be a key name without spaces or plus signs, such as ${example}`);
  return { name, ...(values.out !== undefined && { out: values.out }) };
}

/** A key name as a file name: characters other than letters, digits, dots, dashes and underscores as underscores. */
const fileNameOf = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** Creates a key file of mode 0600, never overwriting one; false (said on stderr) when it cannot. */
function writeNewKeyFile(file: string, content: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'wx', 0o600);
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    process.stderr.write(
      exists
        ? `accord keys: ${file} exists; a key file is never overwritten\n`
        : `accord keys: cannot create ${file}: ${(error as Error).message}\n`,
    );
    return false;
  }
  try {
    fchmodSync(descriptor, 0o600); // whatever the umask
    writeSync(descriptor, content);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

/**
 * `accord keys parties DIR`: the parties file (the configured one, or the default) with the public key of every
 * private key file in DIR added to its party — a body that has a key there joins the file.
 */
function partiesCommand(args: string[]): number {
  if (args.length !== 1) return usage();
  const entries: PartiesEntry[] = loadConfigOrExit().parties.entries.map((entry) => ({ ...entry }));
  for (const name of readdirSync(args[0]).filter((file) => file.endsWith('.private.jwk.json'))) {
    const key = readKeyFile(join(args[0], name));
    if (typeof key === 'string') {
      process.stderr.write(`accord keys: ${name}: ${key}\n`);
      return 1;
    }
    let entry = entries.find((candidate) => candidate.code === key.party);
    if (!entry && BODY_CODES.includes(key.party as never)) {
      entry = { code: key.party as (typeof BODY_CODES)[number], name: key.party, role: 'body' };
      entries.push(entry);
    }
    if (!entry) {
      process.stderr.write(`accord keys: ${name}: ${key.party} is not in the parties file\n`);
      return 1;
    }
    entry.keys = [...(entry.keys ?? []), publicJwk(key)];
  }
  process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  return 0;
}

function usage(problem?: string): number {
  process.stderr.write(`${problem ? `accord keys: ${problem}\n` : ''}${USAGE}`);
  return 2;
}
