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

async function verified(check: () => Promise<{ payload: JWTPayload }>, parties: Parties): Promise<Principal> {
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
  return principalFromClaims(payload as Record<string, unknown>, parties);
}

/** Development and the embedded default: HS256 only, with `exp`, `iss` and `aud` checked. */
export function hs256Verifier(
  secret: string,
  { issuer, audience }: Audience,
  parties: Parties,
): TokenVerifier {
  // A KeyObject made once: jose would otherwise import the raw secret again on every verification.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    verify: (token) =>
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
  };
}

/** Production: asymmetric keys of an OpenID Connect provider, fetched from its JWKS and cached. */
export function jwksVerifier(
  jwksUrl: string,
  { issuer, audience }: Audience,
  parties: Parties,
): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  return {
    verify: (token) =>
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
  };
}
