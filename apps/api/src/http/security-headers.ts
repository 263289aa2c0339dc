import type { FastifyReply, FastifyRequest } from 'fastify';

/** The headers of every answer of the API (the Swagger UI under /docs keeps its caching and scripts). */
export function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-correlation-id', request.id);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  if (!request.url.startsWith('/docs')) {
    void reply.header('cache-control', 'no-store');
    void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    void reply.header('x-frame-options', 'DENY');
  }
}
