import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OidcConfig } from '@accord/config';
import { consoleSecurityHeaders } from '../http/security-headers';

export const CONSOLE_PREFIX = '/console/';

/** What the console learns from the server before anyone signs in (GET /console/config.json). */
export interface ConsoleSettings {
  oidc: OidcConfig | null;
}

/**
 * Where `npm run build` leaves the console (apps/console, built by Vite): dist/console beside the package.json
 * of the API's package, found from this file both when it runs compiled (dist/apps/api/…) and from its source.
 */
export function builtConsoleDirectory(from = __dirname): string | null {
  for (let directory = from; directory !== dirname(directory); directory = dirname(directory))
    if (existsSync(join(directory, 'package.json'))) {
      const built = join(directory, 'dist', 'console');
      return existsSync(join(built, 'index.html')) ? built : null;
    }
  return null;
}

/**
 * The console under /console/: its files, public like the page that asks for a token, with its own
 * Content-Security-Policy (scripts from this origin only), and its settings. Hashed assets are cached for good;
 * index.html and the settings never, so that a new release and a new provider are picked up at once.
 */
export async function consoleRoutes(
  fastify: FastifyInstance,
  { directory, settings }: { directory: string; settings: ConsoleSettings },
): Promise<void> {
  const headers = consoleSecurityHeaders(settings.oidc?.issuer ?? null);
  fastify.addHook('onRequest', async (_request, reply) => void reply.headers(headers));
  fastify.get(CONSOLE_PREFIX.slice(0, -1), async (_request, reply) => reply.redirect(CONSOLE_PREFIX, 301));
  fastify.get(`${CONSOLE_PREFIX}config.json`, async () => settings);
  await fastify.register(fastifyStatic, {
    root: directory,
    prefix: CONSOLE_PREFIX,
    redirect: true,
    cacheControl: false,
    decorateReply: false,
    setHeaders: (reply, path) => {
      if (path.includes(`${join(directory, 'assets')}/`))
        void reply.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
}
