import type { FastifyInstance } from 'fastify';
import { FieldError } from '@accord/domain';
import { ProblemException } from './problem';

const NOT_UNICODE = 'must be well-formed Unicode';
// Fatal on any byte that is not UTF-8, surrogates encoded in UTF-8 included; a leading byte order mark is dropped
// (RFC 8259 lets a parser ignore one).
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The charset parameter of a Content-Type header, lower-case and unquoted, or undefined when it names none.
 * Parameter names are case-insensitive (RFC 9110, section 8.3.1).
 */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]).toLowerCase() : undefined;
}

/**
 * Where the parsed body holds text that is not well-formed Unicode — a string or an object key with a lone or
 * misordered surrogate (JSON's `"\ud800"`) — or null if it holds none. Iterative: a body may nest deeply.
 */
export function illFormedText(value: unknown): FieldError | null {
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [current, path] = pending.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (!current.isWellFormed()) return { field: path || 'body', message: NOT_UNICODE };
    } else if (current !== null && typeof current === 'object')
      for (const [key, child] of Object.entries(current)) {
        // A key that is not text is not echoed in the answer: its object is named instead.
        if (!key.isWellFormed())
          return { field: path || 'body', message: 'has a key that is not well-formed Unicode' };
        pending.push([child, path ? `${path}.${key}` : key]);
      }
  }
  return null;
}

/**
 * Command bodies are JSON, and only JSON (RFC 8259: UTF-8). Every parser Fastify and Nest register by default
 * goes — Nest's application/x-www-form-urlencoded one would run a command from a form — and a body of any other
 * media type, or of another charset, is answered 415 unsupported-media-type before any handler runs. The JSON
 * itself is parsed by Fastify's own parser, which refuses `__proto__` and `constructor.prototype` keys, and must be
 * I-JSON (RFC 7493): bytes that are not UTF-8, and text with lone surrogates, are refused with 400
 * validation-failed, where they were stored as U+FFFD or as ill-formed strings no other system can read.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // No route takes it: 404 or 405 is the answer, whatever the body holds.
    if (request.is404) return done(null, undefined);
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8')
      return done(
        new ProblemException('unsupported-media-type', 'A JSON body must be UTF-8 (RFC 8259)'),
        undefined,
      );
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return done(
        notUnicode('The body is not UTF-8', { field: 'body', message: 'must be UTF-8' }),
        undefined,
      );
    }
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const illFormed = illFormedText(value);
      if (illFormed)
        return done(notUnicode('The body holds text that is not well-formed Unicode', illFormed));
      done(null, value);
    });
  });
}

function notUnicode(detail: string, error: FieldError): ProblemException {
  return new ProblemException('validation-failed', detail, [error]);
}
