import { demoCommand } from './commands/demo';
import { projectionsCommand } from './commands/projections';
import { tailCommand } from './commands/tail';
import { tokenCommand } from './commands/token';
import { verifyCommand } from './commands/verify';

const USAGE = `Usage: accord <command> [options]

Commands:
  token --role ROLE [--country CODE] --sub SUB [--expires-in SECONDS]
        Print a token signed with ACCORD_JWT_SECRET (or the embedded default's secret under ACCORD_DATA_DIR)
  verify FILE
        Verify an audit bundle offline: exit 0 and print the head hash, or exit 1 naming the first broken revision
  projections rebuild
        Rebuild the read model from the whole event log into fresh tables and switch over atomically
  tail [--brokers HOST:PORT] [--topic TOPIC] [--from-beginning] [--group GROUP] [--max-events N]
        Print each event on the Kafka topic once, as a JSON line: the reference consumer for downstream systems
  demo [--url http://127.0.0.1:3000]
        Fill a running server with the initiatives of the OTS 2025–2026 action plan, at different stages
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  token: tokenCommand,
  verify: verifyCommand,
  projections: projectionsCommand,
  demo: demoCommand,
  tail: tailCommand,
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(USAGE);
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  return command(args);
}
