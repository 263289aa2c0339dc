import { CompactSign, compactVerify, CryptoKey, importJWK } from 'jose';
import { KEY_ALGORITHMS, KeyAlgorithm, PartyKey, rfc3339Instant } from '@accord/domain';
import { CommandName, isCommandName } from './commands';
import { algorithmOf, PrivateJwk } from './keys';
import { canonicalJson } from './proposal-hash';
import { SignatureError } from './signature-error';

/** The JWS `typ` of a signed decision (RFC 7515 §4.1.9). */
export const DECISION_TYP = 'accord-decision+jws';
/** How far a statement's iat may be from the server's clock, in seconds. */
export const IAT_WINDOW_SECONDS = 300;

/** What a party signs: the JWS payload. */
export interface Statement {
  command: CommandName;
  initiativeId: string;
  party: string;
  /** Unix seconds. */
  iat: number;
  /** The request body without `signature`. */
  body: Record<string, unknown>;
}

const HEADER_MEMBERS = ['alg', 'kid', 'typ'];
const STATEMENT_MEMBERS = ['command', 'initiativeId', 'party', 'iat', 'body'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface SignCommandInput {
  privateJwk: PrivateJwk;
  kid: string;
  alg: KeyAlgorithm;
  command: CommandName;
  initiativeId: string;
  /** The signer's state code or body code. */
  party: string;
  /** The request body; a `signature` member in it is left out of the statement. */
  body: Record<string, unknown>;
  /** Unix seconds. */
  iat: number;
}

/**
 * Signs a command: a JWS compact serialization (RFC 7515) with the protected header exactly
 * `{"alg","kid","typ":"accord-decision+jws"}` and the statement `{"command","initiativeId","party","iat","body"}`
 * as payload.
 */
export async function signCommand(input: SignCommandInput): Promise<string> {
  const { privateJwk, kid, alg, command, initiativeId, party, body, iat } = input;
  if (!KEY_ALGORITHMS.includes(alg)) throw new TypeError(`alg must be ${KEY_ALGORITHMS.join(' or ')}`);
  if (algorithmOf(privateJwk) !== alg) throw new TypeError(`The key is not a ${alg} key`);
  if (typeof privateJwk.d !== 'string') throw new TypeError('Signing needs the private key (its d)');
  if (!isCommandName(command)) throw new TypeError(`Unknown command ${String(command)}`);
  if (!Number.isSafeInteger(iat)) throw new TypeError('iat must be an integer number of seconds');
  if (!isObject(body)) throw new TypeError('The body must be a JSON object');
  const { kty, crv, x, y, d } = privateJwk;
  const key = await importJWK(kty === 'EC' ? { kty, crv, x, y, d } : { kty, crv, x, d }, alg);
  const statement: Statement = { command, initiativeId, party, iat, body: withoutSignature(body) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(statement)))
    .setProtectedHeader({ alg, kid, typ: DECISION_TYP })
    .sign(key);
}

export interface VerifySignedCommandInput {
  /** The body's `signature`. */
  jws: unknown;
  /** The keys of the party the token names (`Parties.keysOf`). */
  keys: readonly PartyKey[];
  /** The command of the route. */
  command: CommandName;
  /** The initiative of the route (or of the proposal): compared exactly. */
  initiativeId: string;
  /** The token's party: its country for a focal point, else the body (`secretariat`, `fund-board`). */
  party: string;
  /** The request body, with or without its `signature`; left out where the caller compares the body itself. */
  body?: Record<string, unknown>;
  now: Date;
}

export interface VerifiedCommand {
  kid: string;
  alg: KeyAlgorithm;
  statement: Statement;
}

/**
 * Verifies a signed command (docs/trust.md §2) or throws a SignatureError naming the first check that failed.
 * The algorithm is the key's, never the header's alone: the header must name it and jose verifies with it only.
 */
export async function verifySignedCommand(input: VerifySignedCommandInput): Promise<VerifiedCommand> {
  const { jws, keys, command, initiativeId, party, body, now } = input;
  if (!isCommandName(command)) throw new TypeError(`Unknown command ${String(command)}`);
  const header = protectedHeader(jws);

  if (!KEY_ALGORITHMS.includes(header.alg as KeyAlgorithm))
    refuse('unsupported-alg', `The JWS alg (${describe(header.alg)}) is not EdDSA or ES256`);
  if (!isDecisionTyp(header.typ))
    refuse('wrong-typ', `The JWS typ (${describe(header.typ)}) is not ${DECISION_TYP}`);
  const kid = header.kid as string;
  const key = keys.find((candidate) => candidate.kid === kid);
  if (!key) refuse('unknown-kid', `${party} has no key with kid ${JSON.stringify(kid)}`);
  // From the key material, not from its `alg` alone: keys may come from elsewhere than a checked parties file.
  const alg = algorithmOf(key);
  if (!alg || (key.alg !== undefined && key.alg !== alg))
    refuse('unusable-key', `The key ${kid} is not an Ed25519 (EdDSA) or P-256 (ES256) public key`);
  if (header.alg !== alg)
    refuse('alg-mismatch', `The JWS alg ${String(header.alg)} is not the alg ${alg} of the key ${kid}`);

  const payload = await verifiedPayload(jws as string, key, alg);
  const statement = parsedStatement(payload);

  const iatMs = statement.iat * 1000;
  const notBefore = key.notBefore === undefined ? -Infinity : rfc3339Instant(key.notBefore);
  const notAfter = key.notAfter === undefined ? Infinity : rfc3339Instant(key.notAfter);
  if (!(iatMs >= notBefore && iatMs <= notAfter))
    refuse(
      'key-not-valid-at-iat',
      `The key ${kid} is not valid at iat ${statement.iat} (valid from ${key.notBefore ?? 'any time'} ` +
        `to ${key.notAfter ?? 'any time'})`,
    );
  if (Math.abs(iatMs - now.getTime()) > IAT_WINDOW_SECONDS * 1000)
    refuse(
      'iat-out-of-window',
      `The statement's iat ${statement.iat} is more than ${IAT_WINDOW_SECONDS / 60} minutes from the ` +
        `server's clock (${Math.floor(now.getTime() / 1000)})`,
    );
  if (statement.command !== command)
    refuse('command-mismatch', `The statement signs ${statement.command}, not ${command}`);
  if (statement.initiativeId !== initiativeId)
    refuse(
      'initiative-mismatch',
      `The statement signs initiative ${statement.initiativeId}, not ${initiativeId}`,
    );
  if (statement.party !== party)
    refuse('party-mismatch', `The statement is signed for ${statement.party}, not for ${party}`);
  if (body !== undefined && canonicalJson(statement.body) !== canonicalJson(withoutSignature(body)))
    refuse('body-mismatch', 'The statement signs another body than the request body without signature');
  return { kid, alg, statement };
}

function refuse(reason: SignatureError['reason'], message: string): never {
  throw new SignatureError(reason, message);
}

/** The protected header of a JWS compact serialization: a JSON object of exactly alg, kid and typ. */
function protectedHeader(jws: unknown): Record<string, unknown> {
  const malformed = (why: string): never =>
    refuse('malformed-jws', `The signature is not a valid JWS: ${why}`);
  if (typeof jws !== 'string') malformed('not a string');
  const parts = (jws as string).split('.');
  if (parts.length !== 3) malformed('a JWS compact serialization has three parts separated by dots');
  if (!parts.every((part) => BASE64URL.test(part)))
    malformed('each part is non-empty base64url without padding');
  const header = jsonObject(Buffer.from(parts[0], 'base64url'));
  if (!header) malformed('the protected header is not a JSON object');
  const extra = Object.keys(header as object).filter((member) => !HEADER_MEMBERS.includes(member));
  if (extra.length > 0)
    malformed(`the protected header has ${extra.join(', ')}; it has exactly alg, kid and typ`);
  const { kid } = header as Record<string, unknown>;
  if (typeof kid !== 'string' || kid === '') malformed('the protected header has no kid');
  return header as Record<string, unknown>;
}

/**
 * Whether a JWS typ names accord-decision+jws: RFC 7515 §4.1.9 compares media types case-insensitively and lets
 * the `application/` prefix be omitted.
 */
function isDecisionTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const type = typ.toLowerCase();
  return type === DECISION_TYP || type === `application/${DECISION_TYP}`;
}

async function verifiedPayload(jws: string, key: PartyKey, alg: KeyAlgorithm): Promise<Uint8Array> {
  let publicKey: CryptoKey | Uint8Array;
  try {
    const { kty, crv, x } = key;
    publicKey = await importJWK(key.kty === 'EC' ? { kty, crv, x, y: key.y } : { kty, crv, x }, alg);
  } catch (error) {
    refuse('unusable-key', `The key ${key.kid} cannot be used: ${(error as Error).message}`);
  }
  try {
    return (await compactVerify(jws, publicKey, { algorithms: [alg] })).payload;
  } catch {
    refuse('bad-signature', `The signature does not verify under the key ${key.kid}`);
  }
}

function parsedStatement(payload: Uint8Array): Statement {
  const statement = jsonObject(payload);
  const malformed = (why: string): never =>
    refuse('malformed-statement', `The signed statement is not valid: ${why}`);
  if (!statement) return malformed('the payload is not a JSON object');
  if (!('iat' in statement)) refuse('missing-iat', 'The signed statement has no iat');
  if (!Number.isSafeInteger(statement.iat))
    refuse('invalid-iat', `The statement's iat (${describe(statement.iat)}) is not an integer of seconds`);
  const extra = Object.keys(statement).filter((member) => !STATEMENT_MEMBERS.includes(member));
  if (extra.length > 0)
    malformed(`it has ${extra.join(', ')}; it has exactly ${STATEMENT_MEMBERS.join(', ')}`);
  if (!isCommandName(statement.command))
    malformed(`command (${describe(statement.command)}) is none of the signed commands`);
  for (const member of ['initiativeId', 'party'])
    if (typeof statement[member] !== 'string') malformed(`${member} is not a string`);
  if (!isObject(statement.body)) malformed('body is not a JSON object');
  return statement as unknown as Statement;
}

/** The JSON object that bytes hold as UTF-8 JSON text, or undefined. */
function jsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutSignature(body: Record<string, unknown>): Record<string, unknown> {
  const { signature: _signature, ...rest } = body;
  return rest;
}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}
