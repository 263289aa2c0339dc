import { readFileSync } from 'node:fs';
import { verifyBundle } from '@accord/audit';

export async function verifyCommand(args: string[]): Promise<number> {
  const [file] = args;
  if (!file || args.length > 1) {
    process.stderr.write('Usage: accord verify FILE\n');
    return 2;
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`${file}: not a readable JSON file (${(error as Error).message})\n`);
    return 1;
  }
  const result = verifyBundle(bundle);
  if (result.kind === 'unreadable') {
    process.stderr.write(`${file}: not an audit bundle: ${result.reason}\n`);
    return 1;
  }
  if (!result.verified) {
    process.stdout.write(`broken at revision ${result.brokenAtRevision}\n`);
    return 1;
  }
  if (!result.headHashMatches) {
    process.stdout.write(`head hash does not match the chain's ${result.headHash}\n`);
    return 1;
  }
  process.stdout.write(`${result.headHash}\n`);
  return 0;
}
