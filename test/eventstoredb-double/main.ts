/**
 * Runs the EventStoreDB wire-level double in the foreground:
 *   npm run eventstoredb:double -- --port 2113 [--host 127.0.0.1]
 * and prints its connection string. Ctrl-C stops it; everything it held is gone.
 */
import { startEventStoreDbDouble } from './index';

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const port = Number(option('port') ?? 2113);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--port must be a TCP port number, not ${option('port')}`);
    process.exit(2);
  }
  const double = await startEventStoreDbDouble({ port, host: option('host') ?? '127.0.0.1' });
  console.log(double.connectionString);
  console.error(
    `EventStoreDB wire-level double (in memory, not durable) serving ${double.methods.length} gRPC methods. Ctrl-C stops it.`,
  );
  const shutdown = () => {
    void double.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
