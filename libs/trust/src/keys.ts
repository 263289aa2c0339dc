import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { KeyAlgorithm, PartyKey } from '@accord/domain';

/** A private signing key as a JWK with the private member `d`, its kid and alg. */
export interface PrivateJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  d: string;
  kid?: string;
  alg?: KeyAlgorithm;
}

const CURVES: Record<KeyAlgorithm, { kty: 'OKP' | 'EC'; crv: 'Ed25519' | 'P-256' }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

/** The algorithm a JWK's key type and curve sign with, or undefined when Accord accepts no such key. */
export function algorithmOf(jwk: { kty?: unknown; crv?: unknown }): KeyAlgorithm | undefined {
  return (Object.keys(CURVES) as KeyAlgorithm[]).find(
    (alg) => CURVES[alg].kty === jwk.kty && CURVES[alg].crv === jwk.crv,
  );
}

/** A new key pair: the private JWK (kty, crv, x, y for ES256, d) — kid and alg are the caller's to add. */
export function generateSigningKey(alg: KeyAlgorithm): PrivateJwk {
  const { privateKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' }) as PrivateJwk;
}

/** The public JWK of a private one, for a parties file: kid, kty, crv, alg, x (and y); never `d`. */
export function publicJwk(jwk: PrivateJwk & { kid: string }): PartyKey {
  const alg = algorithmOf(jwk);
  if (!alg) throw new TypeError('Accord keys are Ed25519 (OKP) or P-256 (EC)');
  return alg === 'EdDSA'
    ? { kid: jwk.kid, kty: 'OKP', crv: 'Ed25519', alg, x: jwk.x }
    : { kid: jwk.kid, kty: 'EC', crv: 'P-256', alg, x: jwk.x, y: jwk.y as string };
}

/** Whether a party key is a usable public key (a P-256 point on the curve, say): a message when it is not. */
export function publicKeyProblem(key: PartyKey): string | undefined {
  const { kty, crv, x } = key;
  try {
    createPublicKey({ key: key.kty === 'EC' ? { kty, crv, x, y: key.y } : { kty, crv, x }, format: 'jwk' });
    return undefined;
  } catch (error) {
    return `is not a usable ${crv} public key (${(error as Error).message})`;
  }
}
