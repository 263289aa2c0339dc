import type { FastifyRequest } from 'fastify';

/** Query parameters whose value is a secret by its name: access_token, id_token, api_key, password, … */
const SECRET_NAME = /token|secret|passw|jwt|auth|api[-_]?key|signature|credential|session/i;
/** A JWT (or any JWS compact serialisation): three base64url segments, the last possibly empty. */
const JWT_SHAPED = /[\w-]+\.[\w-]+\.[\w-]*/;
const REDACTED = '[redacted]';

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The URL as it may be logged: its path and query, with the value of every query parameter that is a secret by
 * its name or holds something shaped like a JWT replaced by `[redacted]` (the whole parameter, if its name is one).
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      const name = equals < 0 ? parameter : parameter.slice(0, equals);
      if (JWT_SHAPED.test(decoded(name))) return REDACTED;
      if (equals < 0) return parameter;
      const value = parameter.slice(equals + 1);
      return SECRET_NAME.test(decoded(name)) || JWT_SHAPED.test(decoded(value))
        ? `${name}=${REDACTED}`
        : parameter;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

/**
 * Fastify's serializer of a request in its log lines ("incoming request"), with the URL redacted: a client may
 * send its token as `?access_token=…`, and a log must never hold one.
 */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
