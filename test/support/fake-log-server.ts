import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  cosignatureVerifier,
  noteVerifier,
  openCheckpoint,
  TlogFormatError,
  verifyCosignatureLine,
} from '@accord/tlog';
import { TestLog } from '../../libs/audit/src/testing/test-log';

export interface PostedCosignature {
  checkpoint: string;
  cosignature: string;
}

/**
 * The transparency log's routes of trust.md §4 (the ones the CLI calls) over HTTP on 127.0.0.1, served from a
 * TestLog in memory: what `accord witness` and `accord verify --url` talk to in these tests. A test swaps `log` for
 * another tree (grown, rewritten), or overrides what is served as the key or the checkpoint.
 */
export class FakeLogServer {
  /** Cosignatures the log took: by a known witness key, over a checkpoint it signed. */
  readonly cosignatures: PostedCosignature[] = [];
  /** Every request, as `METHOD /path?query`. */
  readonly requests: string[] = [];
  servedKey?: string;
  servedCheckpoint?: string;

  private constructor(
    private readonly server: Server,
    public log: TestLog,
    public witnessKeys: string[],
    private readonly token: string,
  ) {}

  static async start(
    log: TestLog,
    options: { witnessKeys: string[]; token: string },
  ): Promise<FakeLogServer> {
    const server = createServer();
    const fake = new FakeLogServer(server, log, options.witnessKeys, options.token);
    server.on('request', (request, response) => void fake.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    return closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (request.headers.authorization !== `Bearer ${this.token}`)
      return problem(response, 401, 'unauthorized');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /v1/log/key') return text(response, `${this.servedKey ?? this.log.vkey}\n`);
    if (route === 'GET /v1/log/checkpoint')
      return text(response, this.servedCheckpoint ?? this.latestCheckpoint());
    if (route === 'GET /v1/log/proof/consistency') {
      const [from, to] = ['from', 'to'].map((name) => Number(url.searchParams.get(name)));
      if (
        !Number.isSafeInteger(from) ||
        !Number.isSafeInteger(to) ||
        from < 1 ||
        from > to ||
        to > this.log.size
      )
        return problem(response, 400, 'invalid-range');
      const hashes = this.log.consistencyProof(from, to).map((hash) => hash.toString('base64'));
      return json(response, 200, { from, to, hashes });
    }
    if (route === 'POST /v1/log/cosignatures') {
      const body = parseJson(await readBody(request)) as Partial<PostedCosignature> | undefined;
      if (typeof body?.checkpoint !== 'string' || typeof body.cosignature !== 'string')
        return problem(response, 400, 'invalid-body');
      if (!this.takes({ checkpoint: body.checkpoint, cosignature: body.cosignature }))
        return problem(response, 400, 'invalid-signature');
      this.cosignatures.push({ checkpoint: body.checkpoint, cosignature: body.cosignature });
      response.writeHead(204).end();
      return;
    }
    problem(response, 404, 'not-found');
  }

  /** The latest checkpoint with every cosignature taken of it, as the real log serves it. */
  private latestCheckpoint(): string {
    const note = this.log.checkpoint();
    const { text } = openCheckpoint(note, noteVerifier(this.log.vkey));
    const cosignatures = this.cosignatures
      .filter(({ checkpoint }) => checkpoint.startsWith(text))
      .map(({ cosignature }) => `${cosignature}\n`);
    return `${note}${[...new Set(cosignatures)].join('')}`;
  }

  private takes({ checkpoint, cosignature }: PostedCosignature): boolean {
    try {
      const { text } = openCheckpoint(checkpoint, noteVerifier(this.log.vkey));
      return this.witnessKeys.some((vkey) => {
        try {
          verifyCosignatureLine(text, cosignature, cosignatureVerifier(vkey));
          return true;
        } catch {
          return false;
        }
      });
    } catch (error) {
      if (error instanceof TlogFormatError) return false;
      throw error;
    }
  }
}

function text(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

function json(response: ServerResponse, status: number, body: object, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

function problem(response: ServerResponse, status: number, type: string): void {
  json(response, status, { type, title: type, status }, 'application/problem+json');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
