import { createHash } from 'node:crypto';

/** The members of a public JWK that RFC 7638 §3.2 hashes, for the key types Accord accepts. */
export interface ThumbprintInput {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
}

/**
 * The RFC 7638 JWK thumbprint: base64url (no padding) of the SHA-256 of the JSON object of the key type's required
 * members only, in lexicographic order, without white space (OKP: crv, kty, x; EC: crv, kty, x, y).
 */
export function thumbprint(jwk: ThumbprintInput): string {
  const { kty, crv, x, y } = jwk;
  let required: Record<string, unknown>;
  if (kty === 'OKP') required = { crv, kty, x };
  else if (kty === 'EC') required = { crv, kty, x, y };
  else throw new TypeError(`No thumbprint for kty ${String(kty)}: Accord keys are OKP or EC`);
  for (const [member, value] of Object.entries(required))
    if (typeof value !== 'string') throw new TypeError(`A ${kty} JWK needs ${member}`);
  return createHash('sha256').update(JSON.stringify(required), 'utf8').digest('base64url');
}
