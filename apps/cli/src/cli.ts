import { demoCommand } from './commands/demo';
import { keysCommand } from './commands/keys';
import { projectionsCommand } from './commands/projections';
import { signCliCommand } from './commands/sign';
import { tailCommand } from './commands/tail';
import { tokenCommand } from './commands/token';
import { verifyCommand } from './commands/verify';
import { witnessCommand } from './commands/witness';

const USAGE = `Usage: accord <command> [options]

Commands:
  token --role ROLE [--country CODE] --sub SUB [--expires-in SECONDS]
        Print a token signed with ACCORD_JWT_SECRET (or the embedded default's secret under ACCORD_DATA_DIR)
  keys generate --party CODE [--alg EdDSA|ES256] [--kid KID] [--out FILE]
        Write a new private signing key of a state or body to a file of mode 0600 (by default
        CODE-KID.private.jwk.json here, never overwritten) and print its public JWK for the parties file
  keys parties DIR
        Print the parties file with the public key of every private key file in DIR added to its party
  keys witness --name NAME [--out FILE]
        Write a new witness private key (C2SP, tlog-cosignature/v1) to a file of mode 0600 (by default
        NAME.witness.key here, never overwritten) and print its vkey for the state's witnessKeys
  keys log --origin NAME [--out FILE]
        Write a new private key of the transparency log named NAME (its ACCORD_LOG_ORIGIN) to a file of mode 0600
        (by default NAME.log.key here, never overwritten), for ACCORD_LOG_PRIVATE_KEY; print its vkey, for
        ACCORD_LOG_PUBLIC_KEY
  sign --key FILE --command COMMAND [--initiative ID] --body JSON [--iat SECONDS]
        Print the body with "signature" added: a JWS of the command by the key file's party, for curl -d
        (COMMAND: propose-initiative, record-sign-off, request-changes, amend-initiative,
        withdraw-initiative, record-funding-decision; a proposal's ID may come from its initiativeId)
  verify FILE [--keys JWKS_FILE] [--log-key VKEY|FILE [--checkpoint FILE [--url URL [--token TOKEN]]]]
        Verify an audit bundle offline: its hash chain, then every signed decision against the bundle's keys, or
        the auditor's own trusted JWKS with --keys; with --log-key, that every event is in the log's signed
        checkpoint, and with --checkpoint that a checkpoint the auditor kept is consistent with it (--url fetches
        the proof); exit 0 and the head hash, or 1 naming each failing revision or check
  witness --url URL --key FILE --state CODE [--token TOKEN] [--log-key VKEY|FILE] [--state-file FILE]
          [--once] [--interval SECONDS]
        Witness the transparency log for a state: cosign each checkpoint that extends the last one cosigned,
        refuse (and say why) any other; with --once one round, exit 1 on a refusal (the alarm)
  projections rebuild
        Rebuild the read model from the whole event log into fresh tables and switch over atomically
  tail [--brokers HOST:PORT] [--topic TOPIC] [--from-beginning] [--group GROUP] [--max-events N]
        Print each event on the Kafka topic once, as a JSON line: the reference consumer for downstream systems
  demo [--url http://127.0.0.1:3000] [--keys DIR]
        Fill a running server with the initiatives of the OTS 2025–2026 action plan, at different stages
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  token: tokenCommand,
  keys: keysCommand,
  sign: signCliCommand,
  verify: verifyCommand,
  projections: projectionsCommand,
  demo: demoCommand,
  tail: tailCommand,
  witness: witnessCommand,
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
