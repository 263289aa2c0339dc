import http from 'node:http';
import { mintHs256Token, TokenRole } from '@accord/auth';
import { SECRET } from './server';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  elapsedMs: number;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | null;
  /** The whole Authorization header, as is. */
  authorization?: string;
  /** Serialised with JSON.stringify (lone surrogates become \ud800 escapes), Content-Type application/json. */
  json?: unknown;
  /** Sent as is; Content-Type is `contentType` (default application/json; null: none). */
  raw?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** A connection of its own, outside the keep-alive pool. */
  freshConnection?: boolean;
}

/** A keep-alive HTTP/1.1 client over node:http: exact bytes, any header, any number of connections. */
export class HttpClient {
  readonly agent: http.Agent;

  constructor(
    readonly baseUrl: string,
    connections = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = new URL(this.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: Buffer | undefined;
    if (options.json !== undefined) payload = Buffer.from(JSON.stringify(options.json), 'utf8');
    else if (options.raw !== undefined)
      payload = Buffer.isBuffer(options.raw) ? options.raw : Buffer.from(options.raw, 'utf8');
    if (payload !== undefined) {
      const type = options.contentType === undefined ? 'application/json' : options.contentType;
      if (type !== null && headers['content-type'] === undefined) headers['content-type'] = type;
      headers['content-length'] = String(payload.length);
    }
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers,
          agent: options.freshConnection ? false : this.agent,
          timeout: options.timeoutMs ?? 60_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text,
              body,
              elapsedMs: Date.now() - started,
            });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  get(path: string, options: RequestOptions = {}) {
    return this.request('GET', path, options);
  }

  post(path: string, json: unknown, options: RequestOptions = {}) {
    return this.request('POST', path, { ...options, json });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type Who =
  | { role: 'secretariat' | 'fund-board' | 'auditor'; sub?: string }
  | { role: 'focal-point' | 'witness'; country: string; sub?: string };

const minted = new Map<string, Promise<string>>();

/** A valid token of the suite's secret for a role (and country), cached per role, country and sub. */
export function tokenFor(who: Who): Promise<string> {
  const country = 'country' in who ? who.country : undefined;
  const sub = who.sub ?? `rel-${who.role}${country ? `-${country.toLowerCase()}` : ''}`;
  const cacheKey = `${who.role}/${country ?? ''}/${sub}`;
  let token = minted.get(cacheKey);
  if (!token) {
    token = mintHs256Token(SECRET, {
      role: who.role as TokenRole,
      country,
      sub,
      issuer: 'accord',
      audience: 'accord-api',
      expiresIn: 6 * 3600,
    });
    minted.set(cacheKey, token);
  }
  return token;
}

export const secretariat: Who = { role: 'secretariat' };
export const fundBoard: Who = { role: 'fund-board' };
export const auditor: Who = { role: 'auditor' };
export const focalPoint = (country: string, sub?: string): Who => ({ role: 'focal-point', country, sub });
/** A member state's witness of the transparency log. */
export const witnessOf = (country: string): Who => ({ role: 'witness', country });

export const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'] as const;

/** A valid proposal body; every call differs (title) unless overridden. */
export function proposalBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: `Joint initiative ${Math.random().toString(36).slice(2, 10)}`,
    summary: 'A joint initiative of the member states, proposed by the reliability suite.',
    category: 'research-and-innovation',
    proposingState: 'KAZ',
    participatingStates: [...MEMBERS],
    approvalRule: { kind: 'unanimity' },
    signOffDeadline: new Date(Date.now() + 90 * 24 * 3600_000).toISOString(),
    requestedFunding: { amount: '250000.00', currency: 'USD' },
    ...overrides,
  };
}

/** Runs `task` for every item with at most `concurrency` at once; results in item order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index], index);
      }
    }),
  );
  return results;
}
