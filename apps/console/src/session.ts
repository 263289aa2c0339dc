import type { Role } from './types';

/** Who is signed in: the bearer token every call carries, and what its claims say (the API checks them). */
export interface Session {
  token: string;
  sub: string;
  role: Role;
  country: string | null;
  /** Unix seconds. */
  expiresAt: number | null;
}

/** sessionStorage, never localStorage: a token ends with the browser tab that holds it. */
const KEY = 'accord.session';

export class TokenError extends Error {}

/**
 * The claims of a JWT, read without verifying it: the API verifies every call; the console only needs to know whom
 * to show which pages.
 */
export function sessionOf(token: string): Session {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new TokenError('not-a-jwt');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(base64UrlBytes(parts[1])));
  } catch {
    throw new TokenError('not-a-jwt');
  }
  const { sub, role, country, exp } = claims;
  if (typeof sub !== 'string' || typeof role !== 'string') throw new TokenError('no-role');
  if (typeof exp === 'number' && exp * 1000 <= Date.now()) throw new TokenError('expired');
  return {
    token: token.trim(),
    sub,
    role: role as Role,
    country: typeof country === 'string' ? country : null,
    expiresAt: typeof exp === 'number' ? exp : null,
  };
}

export function savedSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    return sessionOf(token);
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
}

export function base64UrlBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function base64Url(bytes: ArrayBuffer | Uint8Array): string {
  const array = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of array) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
