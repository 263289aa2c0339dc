import { BODY_CODES, Party, PartyKey } from './parties';

const CODE = /^[A-Z]{3}$/;
const ENTRY_MEMBERS = ['code', 'name', 'role', 'keys', 'witnessKeys'];
const KEY_MEMBERS = ['kid', 'kty', 'crv', 'alg', 'x', 'y', 'use', 'notBefore', 'notAfter'];
/** Members of private JWKs (RFC 7518 §6): a parties file holds public keys only. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** A kid: 1–200 printable ASCII characters, no space. */
const KID = /^[\x21-\x7e]{1,200}$/;
/** base64url without padding of 32 bytes (RFC 7515 §2): 43 characters, the last one's low 2 bits zero. */
const COORDINATE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
/**
 * A C2SP vkey of a tlog-cosignature/v1 key: `<name>+<8 hex key ID>+<base64 key>`, the name without white space or
 * `+`, the key standard base64 of 33 bytes, 0x04 then the 32-byte Ed25519 public key (so it starts `B`, then A–P).
 */
const WITNESS_VKEY = /^[^\s+]+\+[0-9a-fA-F]{8}\+B[A-P][A-Za-z0-9+/]{42}$/u;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 date-time (§5.6) as milliseconds since the epoch, fractions of a millisecond kept; NaN when the
 * text is none or names a day or time that does not exist (a leap second, `:60`, is refused too).
 */
export function rfc3339Instant(value: string): number {
  const match = RFC3339.exec(value);
  if (!match) return Number.NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [fraction, sign, offsetHours, offsetMinutes] = match.slice(7);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  const offset = sign ? (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000 : 0;
  if (!exists || (sign && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59))) return Number.NaN;
  return date.getTime() + Number(`0${fraction ?? ''}`) * 1000 - (sign === '-' ? -offset : offset);
}

/** Checks a parties file's content; returns the problems found, empty when it is usable. */
export function partiesFileProblems(content: unknown): string[] {
  if (!Array.isArray(content) || content.length === 0) return ['must be a non-empty JSON array of parties'];
  const problems: string[] = [];
  const seen = new Set<string>();
  content.forEach((entry: Record<string, unknown> | null, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`entry ${index} is not an object`);
      return;
    }
    const problem = (message: string) => problems.push(`entry ${index}: ${message}`);
    const isBody = entry.role === 'body';
    if (entry.role !== 'member' && entry.role !== 'observer' && !isBody)
      problem('role must be member, observer or body');
    if (isBody && !BODY_CODES.includes(entry.code as never))
      problem(`a body's code must be ${BODY_CODES.join(' or ')}`);
    else if (!isBody && (typeof entry.code !== 'string' || !CODE.test(entry.code)))
      problem('code must be an ISO 3166-1 alpha-3 code');
    else if (seen.has(entry.code as string)) problem(`code ${String(entry.code)} appears twice`);
    else seen.add(entry.code as string);
    if (typeof entry.name !== 'string' || entry.name.trim() === '') problem('name is required');
    for (const member of Object.keys(entry))
      if (!ENTRY_MEMBERS.includes(member))
        problem(`unknown member ${JSON.stringify(member)} (allowed: ${ENTRY_MEMBERS.join(', ')})`);
    if (entry.keys !== undefined) keysProblems(entry.keys, problem);
    if (entry.witnessKeys !== undefined) {
      if (entry.role !== 'member') problem('witnessKeys: only a member state names witness keys');
      else witnessKeysProblems(entry.witnessKeys, problem);
    }
  });
  if (!content.some((entry: Partial<Party> | null) => entry?.role === 'member'))
    problems.push('no member state');
  return problems;
}

function keysProblems(keys: unknown, problem: (message: string) => void): void {
  if (!Array.isArray(keys)) {
    problem('keys must be an array of public JWKs');
    return;
  }
  const kids = new Set<string>();
  keys.forEach((key: unknown, index) => {
    const where = `keys[${index}]`;
    for (const message of keyProblems(key)) problem(`${where}: ${message}`);
    const kid = (key as Partial<PartyKey> | null)?.kid;
    if (typeof kid === 'string' && KID.test(kid)) {
      if (kids.has(kid)) problem(`${where}: kid ${JSON.stringify(kid)} appears twice in this party`);
      kids.add(kid);
    }
  });
}

/** What is wrong with one key of a parties file: empty when it is a public Ed25519 or P-256 JWK. */
function keyProblems(key: unknown): string[] {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return ['must be a JWK object'];
  const jwk = key as Record<string, unknown>;
  const privateMembers = PRIVATE_MEMBERS.filter((member) => member in jwk);
  if (privateMembers.length > 0)
    return [
      `is a private key (it has ${privateMembers.join(', ')}): a parties file holds public keys only, ` +
        'give the public JWK that `accord keys generate` printed',
    ];
  const problems: string[] = [];
  if (typeof jwk.kid !== 'string' || !KID.test(jwk.kid))
    problems.push('kid must be 1 to 200 printable ASCII characters without spaces');
  if (jwk.kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') problems.push('an OKP key must have crv Ed25519');
    if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') problems.push('an Ed25519 key must have alg EdDSA');
    if (jwk.y !== undefined) problems.push('an Ed25519 key has no y');
  } else if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-256') problems.push('an EC key must have crv P-256');
    if (jwk.alg !== undefined && jwk.alg !== 'ES256') problems.push('a P-256 key must have alg ES256');
    if (typeof jwk.y !== 'string' || !COORDINATE.test(jwk.y))
      problems.push('y must be the base64url (no padding) of 32 bytes');
  } else problems.push('kty must be OKP (Ed25519, alg EdDSA) or EC (P-256, alg ES256)');
  if (typeof jwk.x !== 'string' || !COORDINATE.test(jwk.x))
    problems.push('x must be the base64url (no padding) of 32 bytes');
  if (jwk.use !== undefined && jwk.use !== 'sig') problems.push('use, when given, must be sig');
  const instants: Record<string, number> = {};
  for (const bound of ['notBefore', 'notAfter'] as const) {
    if (jwk[bound] === undefined) continue;
    instants[bound] = typeof jwk[bound] === 'string' ? rfc3339Instant(jwk[bound]) : Number.NaN;
    if (Number.isNaN(instants[bound]))
      problems.push(`${bound} must be an RFC 3339 instant such as 2026-01-01T00:00:00Z`);
  }
  if (instants.notBefore > instants.notAfter) problems.push('notBefore is after notAfter');
  for (const member of Object.keys(jwk))
    if (!KEY_MEMBERS.includes(member))
      problems.push(`unknown member ${JSON.stringify(member)} (allowed: ${KEY_MEMBERS.join(', ')})`);
  return problems;
}

function witnessKeysProblems(witnessKeys: unknown, problem: (message: string) => void): void {
  if (!Array.isArray(witnessKeys)) {
    problem('witnessKeys must be an array of C2SP vkey strings');
    return;
  }
  const seen = new Set<unknown>();
  witnessKeys.forEach((vkey: unknown, index) => {
    if (typeof vkey !== 'string' || !WITNESS_VKEY.test(vkey))
      problem(
        `witnessKeys[${index}] must be a C2SP vkey <name>+<8 hex key ID>+<base64 of 0x04 and the 32-byte ` +
          'Ed25519 public key>',
      );
    else if (seen.has(vkey)) problem(`witnessKeys[${index}] appears twice`);
    seen.add(vkey);
  });
}
