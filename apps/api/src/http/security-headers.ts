import type { FastifyReply, FastifyRequest } from 'fastify';

/** What no answer of the API may be: sniffed, cached, framed or given scripts (the Swagger UI under /docs aside). */
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
