import { extname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { EventStore, sleep } from '@accord/event-store';
import { Fence } from '@accord/lease';
import { StoreConfig } from './stores';

/** The projector as the rest of the process sees it: on the process's event loop, or on a thread of its own. */
export interface ProjectorRun {
  /** Whether this process is projecting now (a standby of ACCORD_LEASE=postgres is not). */
  readonly running: boolean;
  /** Where the projector stands; while it is not running, where it stood last. */
  readonly checkpoint: number;
  /** Events of the log the read model has not applied yet. */
  lag(): Promise<number>;
  run(signal: AbortSignal, fence: Fence | null): Promise<void>;
}

/** What the thread is started with. */
export interface ProjectorThreadData {
  stores: StoreConfig;
}

/** From the process to the thread. */
export type ToProjectorThread = { type: 'appended' } | { type: 'stop' };

/** From the thread to the process. */
export type FromProjectorThread =
  | { type: 'started'; position: number }
  | { type: 'projected'; position: number }
  | { type: 'failed'; error: { name: string; message: string; stack?: string } };

/** How long a stopping thread may take to finish its batch and close its stores before it is terminated. */
const STOP_GRACE_MS = 10_000;

/**
 * The embedded projector on a worker thread of its own, with its own connections to the event store's file and to
 * the read store: its batches (the read model's statements, the Merkle hashing) never hold up the API's event loop.
 * The process tells it of every append it commits; a thread that dies is started again from the checkpoint as
 * stored. Only without a lease: a fenced projector runs on the event loop (the Projector of @accord/read-model).
 */
export class ProjectorThread implements ProjectorRun {
  private projecting = false;
  private position = 0;

  constructor(
    private readonly stores: StoreConfig,
    /** The process's own connection: its appends wake the thread, and the lag is measured against its head. */
    private readonly events: EventStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  get running(): boolean {
    return this.projecting;
  }

  get checkpoint(): number {
    return this.position;
  }

  async lag(): Promise<number> {
    return Math.max(0, (await this.events.headPosition()) - this.position);
  }

  async run(signal: AbortSignal, fence: Fence | null): Promise<void> {
    if (fence) throw new Error('A fenced projector runs on the event loop, not on a thread of its own');
    while (!signal.aborted) {
      const exitCode = await this.runThread(signal);
      if (signal.aborted) return;
      this.onError(new Error(`The projector's thread stopped (exit code ${exitCode}); starting it again`));
      await sleep(500, signal);
    }
  }

  /** Runs one thread until it exits; the signal asks it to stop after its batch. */
  private runThread(signal: AbortSignal): Promise<number> {
    // Only these fields: the rest of the configuration holds objects a thread cannot be sent.
    const { dataDir, eventStore, readStore, lease } = this.stores;
    const data: ProjectorThreadData = { stores: { dataDir, eventStore, readStore, lease } };
    const worker = startWorker(data);
    const wake = () => worker.postMessage({ type: 'appended' } satisfies ToProjectorThread);
    const forwarding = new AbortController();
    const stop = () => {
      worker.postMessage({ type: 'stop' } satisfies ToProjectorThread);
      setTimeout(() => void worker.terminate(), STOP_GRACE_MS).unref();
    };
    worker.on('message', (message: FromProjectorThread) => {
      switch (message.type) {
        case 'started':
          this.position = message.position;
          this.projecting = true;
          void this.forwardAppends(wake, AbortSignal.any([signal, forwarding.signal]));
          return;
        case 'projected':
          this.position = message.position;
          return;
        case 'failed':
          this.onError(Object.assign(new Error(message.error.message), message.error));
          return;
      }
    });
    worker.on('error', (error) => this.onError(error));
    signal.addEventListener('abort', stop, { once: true });
    return new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.projecting = false;
        forwarding.abort();
        signal.removeEventListener('abort', stop);
        resolve(code);
      }),
    );
  }

  /** Tells the thread of every append committed here, as soon as it is durable. */
  private async forwardAppends(wake: () => void, signal: AbortSignal): Promise<void> {
    let head = await this.events.headPosition();
    while (!signal.aborted) {
      await this.events.waitForAppend(head, 60_000, signal);
      const now = await this.events.headPosition();
      if (now > head) wake();
      head = now;
    }
  }
}

/**
 * The thread's semi-spaces, in MB: its batches are short-lived garbage, and the process's size (v8-flags.ts) would
 * add 32 MB of young generation again. V8 sizes an isolate's young generation from the process-wide
 * `--max-semi-space-size` when it creates the isolate (the flag overrides a Worker's resourceLimits): the flag is
 * lowered while the thread's isolate is created, and set back once the thread runs.
 */
const THREAD_SEMI_SPACE_MB = 4;

/** The thread runs the compiled entry; from the TypeScript sources (the tests), a loader that compiles it. */
function startWorker(workerData: ProjectorThreadData): Worker {
  const compiled = extname(__filename) === '.js';
  const entry = join(
    __dirname,
    compiled ? 'projector-thread.worker.js' : 'projector-thread.worker.ts-node.js',
  );
  const processSemiSpace =
    process.execArgv.find((argument) => argument.startsWith('--max-semi-space-size=')) ??
    '--max-semi-space-size=0';
  setFlagsFromString(`--max-semi-space-size=${THREAD_SEMI_SPACE_MB}`);
  const worker = new Worker(entry, { workerData });
  const restore = () => setFlagsFromString(processSemiSpace);
  worker.once('online', restore).once('exit', restore);
  return worker;
}
