import { createRemoteJWKSet, errors, JWTPayload, jwtVerify } from 'jose';
import { createSecretKey } from 'node:crypto';
import { Parties } from '@accord/domain';
import { AuthenticationError, Principal, principalFromClaims } from './principal';

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

interface Audience {
  issuer: string;
  audience: string;
}

const CLOCK_TOLERANCE_SECONDS = 5;
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

async function verified(
  check: () => Promise<{ payload: JWTPayload }>,
  parties: Parties,
): Promise<{ principal: Principal; expiresAt: number }> {
  let payload: JWTPayload;
  try {
    ({ payload } = await check());
  } catch (error) {
    // The reason stays in the server's hands: a client learns only that the token was refused.
    const reason = error instanceof errors.JOSEError ? error.code : 'ERR_INVALID_TOKEN';
    throw new AuthenticationError(`The token was refused (${reason})`);
  }
  // jose checks `iat` only against a maximum age: a token from the future is one its issuer's clock got wrong.
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS)
    throw new AuthenticationError('The token was refused (issued in the future)');
  // `exp` is a required claim: jose has refused a token without one.
  return {
    principal: principalFromClaims(payload as Record<string, unknown>, parties),
    expiresAt: Number(payload.exp),
  };
}

/** How many verified tokens are remembered at most, and for how long at most. */
export const REMEMBERED_TOKENS = 10_000;
export const REMEMBERED_FOR_MS = 5 * 60_000;

/**
 * A verifier that remembers the tokens it accepted, each until it expires (with the same clock tolerance as its
 * verification) and at most REMEMBERED_FOR_MS: a client sends the same token with every request, and checking its
 * signature through WebCrypto (jose) took about a tenth of the API's event loop under load (bench/PROFILE.md).
 * Refused tokens are not remembered; past REMEMBERED_TOKENS the oldest is forgotten first.
 */
export function rememberingVerifier(
  verify: (token: string) => Promise<{ principal: Principal; expiresAt: number }>,
  now: () => number = () => Date.now(),
): TokenVerifier {
  const accepted = new Map<string, { principal: Principal; validUntilMs: number }>();
  return {
    verify: async (token) => {
      const remembered = accepted.get(token);
      if (remembered && now() < remembered.validUntilMs) return remembered.principal;
      accepted.delete(token);
      const verifiedAt = now();
      const { principal, expiresAt } = await verify(token);
      if (accepted.size >= REMEMBERED_TOKENS) accepted.delete(accepted.keys().next().value as string);
      const validUntilMs = Math.min(
        (expiresAt + CLOCK_TOLERANCE_SECONDS) * 1000,
        verifiedAt + REMEMBERED_FOR_MS,
      );
      accepted.set(token, { principal: Object.freeze(principal), validUntilMs });
      return principal;
    },
  };
}

/** Development and the embedded default: HS256 only, with `exp`, `iss` and `aud` checked. */
export function hs256Verifier(
  secret: string,
  { issuer, audience }: Audience,
  parties: Parties,
): TokenVerifier {
  // A KeyObject made once: jose would otherwise import the raw secret again on every verification.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return rememberingVerifier((token) =>
    verified(
      () =>
        jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer,
          audience,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }),
      parties,
    ),
  );
}

/** Production: asymmetric keys of an OpenID Connect provider, fetched from its JWKS and cached. */
export function jwksVerifier(
  jwksUrl: string,
  { issuer, audience }: Audience,
  parties: Parties,
): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  return rememberingVerifier((token) =>
    verified(
      () =>
        jwtVerify(token, keys, {
          algorithms: ASYMMETRIC_ALGORITHMS,
          issuer,
          audience,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }),
      parties,
    ),
  );
}
