import { posix } from 'node:path';
import {
  APPS,
  copySources,
  dockerIgnored,
  execForm,
  isPinnedUpstreamImage,
  parseDockerfile,
  readRepoFile,
  repoPathExists,
  runtimeImports,
} from './support';

/** Static checks of deploy/Dockerfile and .dockerignore (no Docker engine here to build the image). */
describe('deploy/Dockerfile', () => {
  const { args, stages } = parseDockerfile(readRepoFile('deploy/Dockerfile'));
  const dockerignore = readRepoFile('.dockerignore');
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
  const runtime = stages[stages.length - 1];
  const instructions = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
  const stage = (name: string) => {
    const found = stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };
  const runs = (name: string) =>
    stage(name)
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');

  it('builds from a pinned node 24 slim image in every stage', () => {
    expect(args.NODE_VERSION).toMatch(/^24\.\d+\.\d+$/);
    for (const { image } of stages) {
      if (stageNames.has(image)) continue;
      expect(image).toMatch(/^node:24[.\d]*-(bookworm-)?slim$/);
      expect(isPinnedUpstreamImage(image)).toBe(true);
    }
  });

  it('runs the Node.js release CI provisions (.ci/node24.sh), within the engines of package.json', () => {
    const pinned = /^ACCORD_NODE_VERSION=(\S+)$/m.exec(readRepoFile('.ci/node24.sh'))?.[1];
    expect(args.NODE_VERSION).toBe(pinned);
    const { engines } = JSON.parse(readRepoFile('package.json')) as { engines: { node: string } };
    const minimum = /^>=(\d+)\.(\d+)$/.exec(engines.node);
    const [major, minor] = args.NODE_VERSION.split('.').map(Number);
    expect(minimum).not.toBeNull();
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(Number(minimum?.[1]) * 1000 + Number(minimum?.[2]));
  });

  it('compiles in a build stage with the native toolchain, and installs production dependencies apart', () => {
    expect(runs('toolchain')).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runs('build')).toMatch(/npm ci\b/);
    expect(runs('build')).toMatch(/npm run build/);
    expect(runs('prod-deps')).toMatch(/npm ci\b[^\n]*--omit=dev/);
  });

  it('takes node_modules only from the production-dependency stage, and the compiled code from the build stage', () => {
    const fromStages = instructions('COPY')
      .map((i) => ({ from: /--from=(\S+)/.exec(i.args)?.[1], args: i.args }))
      .filter((copy) => copy.from);
    expect(fromStages.filter((copy) => copy.args.includes('node_modules')).map((copy) => copy.from)).toEqual([
      'prod-deps',
    ]);
    expect(
      fromStages.filter((copy) => copy.args.includes('/app/dist')).every((copy) => copy.from === 'build'),
    ).toBe(true);
    expect(runtime.image).not.toBe('toolchain');
  });

  it('runs the runtime stage as a non-root user, in production mode, on port 3000', () => {
    const users = instructions('USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).toMatch(/^(node|[1-9]\d*)(:\S+)?$/);
    const env = instructions('ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(instructions('EXPOSE').map((i) => i.args)).toEqual(['3000']);
  });

  it('starts the api by default, with the path the build produces', () => {
    const [cmd] = instructions('CMD').map((i) => execForm(i.args));
    expect(instructions('ENTRYPOINT')).toEqual([]);
    expect(cmd).toEqual(['node', 'dist/apps/api/src/main.js']);
  });

  it('checks health with node on $PORT (the slim image has no curl or wget)', () => {
    const [healthcheck] = instructions('HEALTHCHECK').map((i) => i.args);
    const command = execForm(healthcheck.replace(/^(--\S+\s+)*CMD\s+/, ''));
    expect(command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(command?.[2]).toContain('process.env.PORT');
    expect(command?.[2]).toContain('/health/ready');
  });

  describe('entry points', () => {
    // tsconfig.json: rootDir ".", outDir "dist" — apps/X/src/main.ts compiles to dist/apps/X/src/main.js.
    const tsconfig = JSON.parse(readRepoFile('tsconfig.json')) as { compilerOptions: Record<string, string> };
    const compiled = (source: string) =>
      posix.join(
        tsconfig.compilerOptions.outDir,
        posix.relative(tsconfig.compilerOptions.rootDir, source).replace(/\.ts$/, '.js'),
      );

    it.each([...APPS, 'cli'])('apps/%s/src/main.ts exists and compiles to the path the image runs', (app) => {
      const source = `apps/${app}/src/main.ts`;
      expect(repoPathExists(source)).toBe(true);
      expect(compiled(source)).toBe(`dist/apps/${app}/src/main.js`);
      // The build stage fails when tsc did not produce it.
      expect(runs('build')).toContain(`test -f dist/apps/${app}/src/main.js`);
    });

    // Jest's global setup compiles the project (npm run build) before any integration test: dist/ is its output.
    it('are in the compiled output of npm run build', () => {
      for (const app of [...APPS, 'cli'])
        expect({ app, built: repoPathExists(`dist/apps/${app}/src/main.js`) }).toEqual({ app, built: true });
    });

    it('copies what the CLI bin needs (apps/cli/bin and its package.json for the workspace link)', () => {
      const sources = runtime.instructions.flatMap((i) => copySources(i) ?? []);
      expect(sources).toEqual(
        expect.arrayContaining(['apps/cli/bin', 'apps/cli/package.json', 'package.json']),
      );
      expect(readRepoFile('apps/cli/bin/accord.js')).toContain(
        "join(root, 'dist', 'apps', 'cli', 'src', 'main.js')",
      );
    });
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    for (const { instructions: list } of stages)
      for (const instruction of list) {
        for (const source of copySources(instruction) ?? []) {
          expect({ source, exists: repoPathExists(source) }).toEqual({ source, exists: true });
          expect({ source, ignored: dockerIgnored(source, dockerignore) }).toEqual({
            source,
            ignored: false,
          });
        }
      }
  });

  it('keeps local artefacts, data and secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'node_modules/x/index.js',
      'apps/cli/node_modules/y',
      'dist/apps/api/src/main.js',
      'data/events.db',
      'data/jwt-secret',
      'data/log-key',
      'keys/KAZ.witness.key',
      'log.key',
      'log.vkey',
      'accord-witness-KAZ.json',
      '.git/HEAD',
      'coverage/lcov.info',
      'deploy/kafka-local/.work/data',
      '.env',
      'libs/domain/src/decider.spec.ts',
    ])
      expect({ path, ignored: dockerIgnored(path, dockerignore) }).toEqual({ path, ignored: true });
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      'libs/domain/src/index.ts',
    ])
      expect({ path, ignored: dockerIgnored(path, dockerignore) }).toEqual({ path, ignored: false });
  });

  it('needs no dev dependency at run time: the compiled code imports only production dependencies', () => {
    const packageJson = JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string> };
    // What tsconfig.build.json compiles into dist/ (it excludes tests and testing helpers, and the console, which
    // Vite bundles with its dependencies at build time: its files in dist/console import nothing).
    const imports = runtimeImports(['apps', 'libs'], (path) =>
      /\.(spec|int-spec|e2e-spec|test)\.ts$|\/testing\/|^apps\/console\//.test(path),
    );
    const missing = [...imports]
      .filter(([name]) => !(name in packageJson.dependencies))
      .map(([name, files]) => `${name} (${files.slice(0, 3).join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('parses .dockerignore patterns like Docker', () => {
    expect(dockerIgnored('a/b/c.db', '**/*.db')).toBe(true);
    expect(dockerIgnored('c.db', '**/*.db')).toBe(true);
    expect(dockerIgnored('dist/x', 'dist')).toBe(true);
    expect(dockerIgnored('src/dist', 'dist')).toBe(false);
    expect(dockerIgnored('docs/keep.md', 'docs\n!docs/keep.md')).toBe(false);
  });
});
