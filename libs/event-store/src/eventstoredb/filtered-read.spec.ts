import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { CLIENT_PROTECTED_MEMBERS, INTERNALS_WRITTEN_FOR_CLIENT_VERSION } from './filtered-read';

/**
 * filtered-read.ts uses parts of `@eventstore/db-client` that are no API: modules under its `dist/` and
 * `generated/` folders and protected members of the client. These checks stop an upgrade of the client
 * from going through unnoticed. No server, no network: the client below never connects.
 */
const ROOT = join(__dirname, '../../../..');
const FILE = join(__dirname, 'filtered-read.ts');
const PRIVATE_MODULE = /['"](@eventstore\/db-client\/[^'"]+)['"]/g;
const PROTECTED_MEMBER = new RegExp(`\\b(${CLIENT_PROTECTED_MEMBERS.join('|')})\\b`);

describe('filtered-read.ts, the one place that reaches into the client', () => {
  it('was written for the installed @eventstore/db-client version', () => {
    const { version } = JSON.parse(
      readFileSync(require.resolve('@eventstore/db-client/package.json'), 'utf8'),
    ) as { version: string };
    if (version !== INTERNALS_WRITTEN_FOR_CLIENT_VERSION)
      throw new Error(
        `filtered-read.ts reaches into @eventstore/db-client's private dist/ internals written for ${INTERNALS_WRITTEN_FOR_CLIENT_VERSION}; check them again before upgrading (installed: ${version}). ` +
          'Then record the new version in INTERNALS_WRITTEN_FOR_CLIENT_VERSION.',
      );
  });

  it('finds every private module it imports', () => {
    const modules = [...readFileSync(FILE, 'utf8').matchAll(PRIVATE_MODULE)].map((match) => match[1]);
    expect(modules).toEqual(expect.arrayContaining([expect.stringMatching(/\/dist\//)]));
    for (const module of modules) expect(() => require.resolve(module)).not.toThrow();
  });

  it('finds the protected members it calls on a client', async () => {
    const client = EventStoreDBClient.connectionString('esdb://127.0.0.1:1?tls=false');
    const members = client as unknown as Record<string, unknown>;
    const found = CLIENT_PROTECTED_MEMBERS.map((member) => [member, typeof members[member]]);
    await client.dispose();
    expect(found).toEqual(CLIENT_PROTECTED_MEMBERS.map((member) => [member, 'function']));
  });

  it('is the only source file of apps/ and libs/ that does', () => {
    const elsewhere = ['apps', 'libs']
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => file !== FILE)
      .filter((file) => {
        const source = readFileSync(file, 'utf8');
        return [...source.matchAll(PRIVATE_MODULE)].length > 0 || PROTECTED_MEMBER.test(source);
      })
      .map((file) => relative(ROOT, file));
    expect(elsewhere).toEqual([]);
  });
});

/** The .ts files under `dir`, tests left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}
