import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { captureStdout } from '../support/capture-stdout';

export * from '../../apps/api/src/testing/test-app';

/**
 * For supertest's `.serialize()`: a Buffer body goes as its bytes (labelled JSON, supertest would send
 * `{"type":"Buffer","data":[…]}` instead).
 */
export const asIs = (body: unknown) => body as string;

/** Runs `accord verify FILE` in-process, capturing what it prints. */
export async function accordVerify(
  bundle: unknown,
  directory: string,
): Promise<{ code: number; output: string }> {
  const file = join(directory, `bundle-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(bundle, null, 2));
  return captureStdout(() => runCli(['verify', file]));
}

/**
 * The auditor's own verifier, written from events.md alone: the project's shared copy (../shared/tools) when it
 * sits beside the repository, else the copy vendored in test/support.
 */
const VERIFIER = [
  join(__dirname, '..', '..', '..', 'shared', 'tools', 'verify-bundle.py'),
  '/work/shared/tools/verify-bundle.py',
  join(__dirname, '..', 'support', 'verify-bundle.py'),
].find((candidate) => existsSync(candidate)) as string;

export function pythonVerify(bundle: unknown, directory: string): { code: number; output: string } {
  const file = join(directory, `bundle-py-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  try {
    return { code: 0, output: execFileSync('python3', [VERIFIER, file], { encoding: 'utf8' }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { code: failed.status, output: failed.stdout };
  }
}
