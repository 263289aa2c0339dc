import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, OpenAPIObject } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../app.module';
import { builtConsoleDirectory, consoleRoutes } from '../console/console-routes';
import { answerClientError } from './client-error';
import { Infrastructure } from '../infrastructure/infrastructure';
import { acceptOnlyJsonBodies } from './json-body';
import { PinoNestLogger } from './nest-logger';
import { operationIdFactory, tidyOpenApiDocument } from './openapi';
import { logProblem, sendProblem, toProblem } from './problem.filter';
import { serializeRequest } from './request-log';
import { securityHeaders } from './security-headers';

export const BODY_LIMIT_BYTES = 64 * 1024;
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

/**
 * The HTTP API: Fastify under Nest, problem+json for every error, OpenAPI at /docs and /docs-json, and the console
 * at /console once built.
 */
export async function createHttpApp(
  infrastructure: Infrastructure,
  logger: Logger,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify logs each request's URL: with its query's secrets redacted.
    loggerInstance: logger.child({}, { serializers: { req: serializeRequest } }),
    requestIdHeader: false,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const header = request.headers['x-correlation-id'];
      return typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
    },
    // A URL Fastify's router cannot take (bad percent-encoding, a parameter over 100 characters) never reaches
    // Nest nor the onRequest hook: answer it as every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const answer = toProblem(error);
      logProblem(request, error, answer);
      sendProblem(reply, answer);
    },
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(infrastructure), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Nest's parsers would take forms too: only JSON is a command body.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  acceptOnlyJsonBodies(fastify);
  fastify.addHook('onRequest', async (request, reply) => securityHeaders(request, reply));
  fastify.addHook('onResponse', async (request, reply) => {
    infrastructure.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  const consoleDirectory = builtConsoleDirectory();
  if (consoleDirectory)
    await app.register(consoleRoutes, {
      directory: consoleDirectory,
      settings: { oidc: infrastructure.config.oidc },
    });
  else logger.warn('The console is not built (npm run build): /console is not served');
  await app.init();
  return app;
}

export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Accord API')
    .setDescription(
      'Cross-country initiative approvals: every proposal, national sign-off and funding decision recorded as a verifiable event.',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'The server this document is served from')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return tidyOpenApiDocument(SwaggerModule.createDocument(app, config, { operationIdFactory }));
}
