import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@accord/config';
import { InMemoryEventStore } from '@accord/event-store';
import { createLogger } from '@accord/runtime';
import { createHttpApp, openApiDocument } from '../http/http-app';
import { openInfrastructure } from '../infrastructure/infrastructure';

/**
 * The OpenAPI document the API serves at /docs-json, built without listening: the whole app on the in-memory event
 * store and a throw-away data directory, with no background part running.
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'accord-openapi-'));
  const logger = createLogger('silent');
  const config = loadConfig({
    ACCORD_DATA_DIR: dataDir,
    ACCORD_ROLES: 'api',
    ACCORD_JWT_SECRET: 'openapi-document-only-secret-long-enough-for-hs256',
  });
  const infrastructure = await openInfrastructure(config, logger, { eventStore: new InMemoryEventStore() });
  try {
    const app = await createHttpApp(infrastructure, logger);
    try {
      return openApiDocument(app);
    } finally {
      await app.close();
    }
  } finally {
    await infrastructure.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `npm run lint:openapi`: writes the document to a temporary file and lints it with Redocly's recommended rules
 * (redocly.yaml), offline: no telemetry, no update check. Exits with the linter's status.
 */
async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'accord-openapi-lint-'));
  const file = join(directory, 'openapi.json');
  try {
    writeFileSync(file, JSON.stringify(await buildOpenApiDocument(), null, 2));
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    const lint = spawnSync(
      process.execPath,
      [cli, 'lint', '--config', join(__dirname, '..', '..', '..', '..', 'redocly.yaml'), file],
      {
        stdio: 'inherit',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    process.exitCode = lint.status ?? 1;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
