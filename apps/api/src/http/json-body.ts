import type { FastifyInstance } from 'fastify';
import { ProblemException } from './problem';

/**
 * The charset parameter of a Content-Type header, lower-case and unquoted, or undefined when it names none.
 * Parameter names are case-insensitive (RFC 9110, section 8.3.1).
 */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]).toLowerCase() : undefined;
}

/**
 * Command bodies are JSON, and only JSON (RFC 8259: UTF-8). Every parser Fastify and Nest register by default
 * goes — Nest's application/x-www-form-urlencoded one would run a command from a form — and a body of any other
 * media type, or of another charset, is answered 415 unsupported-media-type before any handler runs. The JSON
 * itself is parsed by Fastify's own parser, which refuses `__proto__` and `constructor.prototype` keys.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8')
      return done(
        new ProblemException('unsupported-media-type', 'A JSON body must be UTF-8 (RFC 8259)'),
        undefined,
      );
    parseJson(request, body.toString('utf8'), done);
  });
}
