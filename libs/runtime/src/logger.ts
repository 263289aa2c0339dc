import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';

/**
 * Structured JSON logs. Tokens, cookies and secrets never reach a log line, whatever logs them. To stdout unless
 * another destination is given (tests read the lines).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}
