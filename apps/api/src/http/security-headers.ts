import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * What no answer of the API may be: sniffed, cached, framed or given scripts (the Swagger UI under /docs and the
 * console under /console aside).
 */
export const API_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;

/** The headers of every answer of the API (the Swagger UI under /docs keeps its caching and scripts). */
export function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-correlation-id', request.id);
  if (!request.url.startsWith('/docs')) void reply.headers(API_SECURITY_HEADERS);
  else
    void reply.headers({
      'x-content-type-options': API_SECURITY_HEADERS['x-content-type-options'],
      'referrer-policy': API_SECURITY_HEADERS['referrer-policy'],
    });
}

/**
 * The console's pages (under /console/): its scripts, styles and images come from this origin only, never inline,
 * and no script may write HTML into the page (Trusted Types with no policy); it calls this API and, to sign in, the
 * OpenID Provider.
 */
export function consoleSecurityHeaders(oidcIssuer: string | null): Record<string, string> {
  const connect = ["'self'", ...(oidcIssuer ? [new URL(oidcIssuer).origin] : [])].join(' ');
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
  return { ...API_SECURITY_HEADERS, 'content-security-policy': policy };
}
