import type { FastifyRequest } from 'fastify';
import { problem } from './problem';

/** The methods an Allow header may name, in the order it names them. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The answer to a request the router found no route for, when its path has routes for other methods: 405
 * method-not-allowed with the Allow header RFC 9110 (section 15.5.6) requires. Null for a path that has no route
 * at all (404), and for one the router could not decode.
 */
export function methodNotAllowed(request: FastifyRequest) {
  const path = request.url.split('?')[0];
  try {
    decodeURIComponent(path);
  } catch {
    return null;
  }
  const allowed = METHODS.filter((method) => request.server.findRoute({ method, url: path }) !== null);
  if (allowed.length === 0) return null;
  const allow = allowed.join(', ');
  return {
    body: problem(
      'method-not-allowed',
      `${request.method} is not allowed here; this resource allows ${allow}`,
    ),
    headers: { allow },
  };
}
