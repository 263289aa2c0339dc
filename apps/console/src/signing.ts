import { base64Url } from './session';

/** A party's private key as `accord keys generate` writes it: a JWK with its kid, alg and party. */
export interface PrivateKeyFile {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  party: string;
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  d: string;
}

export class KeyFileError extends Error {}

/** Reads a private key file; the key stays in this page's memory, never sent anywhere nor stored. */
export async function readKeyFile(file: File): Promise<PrivateKeyFile> {
  let key: Partial<PrivateKeyFile>;
  try {
    key = JSON.parse(await file.text());
  } catch {
    throw new KeyFileError('not-json');
  }
  const ed25519 = key.kty === 'OKP' && key.crv === 'Ed25519';
  const p256 = key.kty === 'EC' && key.crv === 'P-256' && typeof key.y === 'string';
  if (!(ed25519 || p256) || typeof key.d !== 'string' || typeof key.x !== 'string')
    throw new KeyFileError('not-a-private-key');
  if (typeof key.kid !== 'string' || typeof key.party !== 'string') throw new KeyFileError('no-kid');
  return { ...(key as PrivateKeyFile), alg: ed25519 ? 'EdDSA' : 'ES256' };
}

/**
 * Signs a command as docs/trust.md §2 defines it, with WebCrypto: a JWS compact serialization whose protected
 * header is exactly {alg, kid, typ: "accord-decision+jws"} and whose payload is the statement
 * {command, initiativeId, party, iat, body} — the same bytes libs/trust's signCommand makes in Node. Ed25519 and
 * ECDSA P-256 signatures are both the raw bytes a JWS carries (RFC 8037, RFC 7518 §3.4).
 */
export async function signCommand(input: {
  key: PrivateKeyFile;
  command: 'record-sign-off' | 'request-changes';
  initiativeId: string;
  party: string;
  body: Record<string, unknown>;
  now?: Date;
}): Promise<string> {
  const { key, command, initiativeId, party, body } = input;
  const { kty, crv, x, y, d } = key;
  const jwk: JsonWebKey = kty === 'EC' ? { kty, crv, x, y, d } : { kty, crv, x, d };
  const algorithm =
    key.alg === 'EdDSA'
      ? { importAs: { name: 'Ed25519' }, signAs: { name: 'Ed25519' } }
      : {
          importAs: { name: 'ECDSA', namedCurve: 'P-256' },
          signAs: { name: 'ECDSA', hash: 'SHA-256' },
        };
  const privateKey = await crypto.subtle.importKey('jwk', jwk, algorithm.importAs, false, ['sign']);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const encode = (value: unknown) => base64Url(new TextEncoder().encode(JSON.stringify(value)));
  const signingInput = `${encode({ alg: key.alg, kid: key.kid, typ: 'accord-decision+jws' })}.${encode({
    command,
    initiativeId,
    party,
    iat,
    body,
  })}`;
  const signature = await crypto.subtle.sign(
    algorithm.signAs,
    privateKey,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64Url(signature)}`;
}
