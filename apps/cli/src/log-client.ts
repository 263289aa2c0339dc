import { readFileSync } from 'node:fs';
import { decodeHashes } from '@accord/audit';
import { noteVerifier, parseVerifierKey } from '@accord/tlog';

/** A request to the log that did not give an answer to check: unreachable, an HTTP error, or a malformed body. */
export class LogRequestError extends Error {
  override readonly name = 'LogRequestError';
}

/** Long enough for a slow proof, short enough that a hung server does not stall a witness forever. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The client of the transparency log's routes (`/v1/log/*`, trust.md §4), with a bearer token. */
export class LogClient {
  private readonly baseUrl: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** The log's vkey, as the server serves it. */
  async key(): Promise<string> {
    return (await this.text('/v1/log/key')).trim();
  }

  /** The latest signed checkpoint, with every witness cosignature. */
  async checkpoint(): Promise<string> {
    return this.text('/v1/log/checkpoint');
  }

  /** The RFC 9162 consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    const what = `the consistency proof from ${from} to ${to}`;
    const response = await this.request(`/v1/log/proof/consistency?from=${from}&to=${to}`);
    let body: { from?: unknown; to?: unknown; hashes?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new LogRequestError(`${what} is not JSON`);
    }
    const hashes =
      Array.isArray(body?.hashes) && body.hashes.every((hash) => typeof hash === 'string')
        ? decodeHashes(body.hashes)
        : undefined;
    if (body?.from !== from || body?.to !== to || !hashes)
      throw new LogRequestError(`${what} is malformed: not {"from", "to", "hashes": [base64 of 32 bytes]}`);
    return hashes;
  }

  /** Posts a witness's cosignature line of a checkpoint the log signed. */
  async postCosignature(checkpoint: string, cosignature: string): Promise<void> {
    await this.request('/v1/log/cosignatures', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint, cosignature }),
    });
  }

  private async text(path: string): Promise<string> {
    return (await this.request(path)).text();
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new LogRequestError(`${init.method ?? 'GET'} ${url}: ${cause}`, { cause: error });
    }
    if (!response.ok) {
      const detail = (await response.text()).trim().slice(0, 500);
      throw new LogRequestError(
        `${init.method ?? 'GET'} ${url} answered ${response.status}${detail ? `: ${detail}` : ''}`,
      );
    }
    return response;
  }
}

/**
 * The log's vkey from `--log-key`: the vkey itself, or a file holding it (as `GET /v1/log/key` serves it, or a
 * state publishes it). Throws when it is neither, or when it is not a key for note signatures (type 0x01).
 */
export function readLogKey(value: string): string {
  let vkey = value;
  if (!isVerifierKey(value)) {
    try {
      vkey = readFileSync(value, 'utf8').trim();
    } catch (error) {
      throw new Error(
        `--log-key is neither a verifier key nor a readable file (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  try {
    noteVerifier(vkey);
  } catch (error) {
    throw new Error(`--log-key: ${(error as Error).message}`, { cause: error });
  }
  return vkey;
}

function isVerifierKey(text: string): boolean {
  try {
    parseVerifierKey(text);
    return true;
  } catch {
    return false;
  }
}

/** A bearer token from `--token`, else ACCORD_TOKEN. */
export function tokenFrom(
  option: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  return option ?? (env.ACCORD_TOKEN?.trim() || undefined);
}

/** Whether a `--url` is an http(s) URL. */
export function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
