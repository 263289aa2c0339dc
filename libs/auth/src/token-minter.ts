import { SignJWT } from 'jose';
import { TokenRole } from './principal';

export interface TokenRequest {
  sub: string;
  role: TokenRole;
  country?: string;
  issuer: string;
  audience: string;
  /** Seconds. */
  expiresIn: number;
}

/** Mints an HS256 token for development and the embedded default. */
export function mintHs256Token(secret: string, request: TokenRequest): Promise<string> {
  const claims: Record<string, string> = { role: request.role };
  if (request.country) claims.country = request.country;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.expiresIn)
    .sign(new TextEncoder().encode(secret));
}
