import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KEY_ALGORITHMS, KeyAlgorithm } from '@accord/domain';
import { COMMAND_NAMES, CommandName, isCommandName, PrivateJwk, signCommand } from '@accord/trust';

const USAGE =
  `Usage: accord sign --key FILE --command ${COMMAND_NAMES.join('|')} [--initiative ID] --body JSON ` +
  '[--iat SECONDS]\n';

/** A private key file as `accord keys generate` writes it. */
export interface KeyFile extends PrivateJwk {
  kid: string;
  alg: KeyAlgorithm;
  party: string;
}

/**
 * `accord sign`: prints the body with `"signature"` added, a JWS by the key file's party (docs/trust.md §2), ready
 * for `curl -d "$(accord sign …)"`. The initiative is --initiative, or the body's initiativeId for a proposal.
 */
export async function signCliCommand(args: string[]): Promise<number> {
  let values: { key?: string; command?: string; initiative?: string; body?: string; iat?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        key: { type: 'string' },
        command: { type: 'string' },
        initiative: { type: 'string' },
        body: { type: 'string' },
        iat: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (!values.key || !values.command || values.body === undefined) return usage();
  const command = values.command;
  if (!isCommandName(command)) return usage(`--command must be one of ${COMMAND_NAMES.join(', ')}`);

  let body: unknown;
  try {
    body = JSON.parse(values.body);
  } catch (error) {
    return usage(`--body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return usage('--body must be a JSON object');
  const request = body as Record<string, unknown>;
  if ('signature' in request) return usage('--body already has a signature');

  const bodyId = typeof request.initiativeId === 'string' ? request.initiativeId : undefined;
  const initiativeId = values.initiative ?? bodyId;
  if (!initiativeId)
    return usage('--initiative is required (a proposal may name it in the body as initiativeId)');
  if (bodyId !== undefined && bodyId !== initiativeId)
    return usage(`--initiative ${initiativeId} is not the body's initiativeId ${bodyId}`);

  const iat = values.iat === undefined ? Math.floor(Date.now() / 1000) : Number(values.iat);
  if (!/^-?\d+$/.test(values.iat ?? '0') || !Number.isSafeInteger(iat))
    return usage('--iat must be an integer number of seconds since the epoch');

  const key = readKeyFile(values.key);
  if (typeof key === 'string') {
    process.stderr.write(`accord sign: ${values.key}: ${key}\n`);
    return 1;
  }
  const signature = await signCommand({
    privateJwk: key,
    kid: key.kid,
    alg: key.alg,
    command: command as CommandName,
    initiativeId,
    party: key.party,
    body: request,
    iat,
  });
  process.stdout.write(`${JSON.stringify({ ...request, signature })}\n`);
  return 0;
}

/** The key file, or what is wrong with it. */
export function readKeyFile(file: string): KeyFile | string {
  let key: Partial<KeyFile>;
  try {
    key = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `not a readable JSON file (${(error as Error).message})`;
  }
  if (typeof key !== 'object' || key === null) return 'not a JSON object';
  if (typeof key.d !== 'string')
    return 'not a private key (no d): give the file `accord keys generate` wrote';
  if (
    typeof key.kid !== 'string' ||
    typeof key.party !== 'string' ||
    !KEY_ALGORITHMS.includes(key.alg as never)
  )
    return 'a key file names its kid, alg (EdDSA or ES256) and party, as `accord keys generate` writes them';
  return key as KeyFile;
}

function usage(problem?: string): number {
  process.stderr.write(`${problem ? `accord sign: ${problem}\n` : ''}${USAGE}`);
  return 2;
}
