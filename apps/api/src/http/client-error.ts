import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { problem } from './problem';
import { API_SECURITY_HEADERS } from './security-headers';

/**
 * Requests Node's HTTP parser refuses (headers over its 16 KiB limit, a malformed request line, a request too
 * slow to arrive) never reach Fastify's routing: they are answered on the socket, as problem+json with the
 * security headers, like every other error.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('headers-too-large', 'The request line and headers exceed 16 KiB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('request-timeout', 'The request did not arrive in time')
        : problem('validation-failed', 'The request is not valid HTTP');
  const json = JSON.stringify(body);
  const headers = {
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(json)),
    connection: 'close',
    ...API_SECURITY_HEADERS,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\n${head.join('')}\r\n${json}`);
}

const ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether the error is the client going away while its body was still arriving (it closed the connection, or
 * reset it, before Content-Length bytes came): Node's "aborted" ECONNRESET from the request stream, on a request
 * that did not complete. Not a fault of the server: no stack, no 500.
 */
export function bodyAbandoned(error: unknown, request: FastifyRequest): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const looksAborted = (typeof code === 'string' && ABORT_CODES.has(code)) || message === 'aborted';
  return looksAborted && !request.raw.complete && (request.raw.destroyed || request.raw.readableAborted);
}
