import { existsSync, readFileSync } from 'node:fs';
import { HttpResponse } from '../../reliability/support/http';

/**
 * S5 (quality.md): what must never leave the server — in a response or a log line: a stack trace, SQL text, the
 * JWT secret, a bearer token it was sent.
 */

/** A stack frame: "at fn (/path/file.js:12:3)", "at node:internal/…:1:2", or a bare "file.ts:12:3". */
export const STACK_FRAME =
  /\bat\s+[^\n]*?\(?(?:\/|node:|file:)[^\s)]*:\d+:\d+\)?|\b[\w./-]+\.(?:js|ts|mjs|cjs):\d+:\d+/;
/** SQL text or the name of a database engine. */
export const SQL_TEXT =
  /\b(?:SELECT\s+[\w*]|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|WHERE\s+\w+\s*=)|sqlite|SQLITE_|postgres|syntax error at or near|better-sqlite3|kysely/i;

/** Problems with one response: stack frames or SQL in an error, a secret or a token anywhere. */
export function responseLeaks(
  response: HttpResponse,
  secrets: readonly string[],
  sentToken: string | null,
  request: string,
): string[] {
  const problems: string[] = [];
  const text = `${JSON.stringify(response.headers)}\n${response.text}`;
  if (response.status >= 400) {
    // Only errors: a 2xx body may carry what a client stored in it (a title that happens to contain "SELECT").
    if (STACK_FRAME.test(response.text)) problems.push(`stack frame in a ${response.status} response`);
    const sql = SQL_TEXT.exec(response.text);
    if (sql && !request.toLowerCase().includes(sql[0].toLowerCase()))
      problems.push(`SQL text "${sql[0]}" in a ${response.status} response`);
  }
  for (const secret of secrets) if (text.includes(secret)) problems.push('the JWT secret in a response');
  if (sentToken && sentToken.length >= 16 && response.text.includes(sentToken))
    problems.push(`the bearer token sent echoed in a ${response.status} response`);
  return problems;
}

/** The security headers api.md and quality.md S5 expect on every API response (the Swagger UI under /docs aside). */
export function securityHeaderProblems(path: string, response: HttpResponse): string[] {
  const problems: string[] = [];
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  if (header('x-content-type-options') !== 'nosniff') problems.push('x-content-type-options is not nosniff');
  if (!path.startsWith('/docs')) {
    if (!/default-src 'none'/.test(header('content-security-policy')))
      problems.push('no content-security-policy');
    if (!/^(DENY|SAMEORIGIN)$/i.test(header('x-frame-options'))) problems.push('no x-frame-options');
    if (!/no-store/.test(header('cache-control'))) problems.push('cache-control is not no-store');
  }
  return problems;
}

export interface LogScan {
  lines: number;
  /** Lines with a stack trace (only logged for unexpected errors). */
  stackLines: number;
  problems: string[];
}

/**
 * Scans a process's whole log: no line may contain the secret, a bearer token sent (or its signature alone),
 * or an Authorization header value.
 */
export function scanLog(logFile: string, secret: string, tokensSent: Iterable<string>): LogScan {
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const lines = text.split('\n').filter((line) => line.length > 0);
  const needles: { what: string; text: string }[] = [{ what: 'the JWT secret', text: secret }];
  for (const token of tokensSent) {
    if (token.length < 16) continue;
    needles.push({ what: `a bearer token (${token.slice(0, 12)}…)`, text: token });
    const signature = token.split('.')[2];
    if (signature && signature.length >= 20)
      needles.push({ what: `a token signature (${signature.slice(0, 8)}…)`, text: signature });
  }
  const problems: string[] = [];
  let stackLines = 0;
  for (const [index, line] of lines.entries()) {
    if (STACK_FRAME.test(line)) stackLines++;
    if (/"authorization":"(?!\[redacted\])/i.test(line))
      problems.push(`log line ${index + 1}: an Authorization header`);
    for (const needle of needles)
      if (line.includes(needle.text)) {
        problems.push(`log line ${index + 1}: ${needle.what}`);
        break;
      }
  }
  return { lines: lines.length, stackLines, problems: problems.slice(0, 50) };
}
