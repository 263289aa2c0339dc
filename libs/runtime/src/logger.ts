import pino, { Logger } from 'pino';

/** Structured JSON logs. Tokens, cookies and secrets never reach a log line, whatever logs them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'accord' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.authorization',
        '*.token',
        '*.secret',
        '*.password',
        'token',
        'secret',
      ],
      censor: '[redacted]',
    },
  });
}
