import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { RATE_LIMIT, RateLimitGuard } from './http/rate-limit.guard';
import { FixedWindowThrottlerStorage } from './http/fixed-window-storage';
import { AuthGuard } from './http/auth.guard';
import { ProblemFilter } from './http/problem.filter';
import { StrictValidationPipe } from './http/validation';
import { HealthController } from './health/health.controller';
import { readinessChecks } from '@accord/runtime';
import { Infrastructure } from './infrastructure/infrastructure';
import {
  ACCORD_CONFIG,
  CHECKPOINT_SIGNER,
  CLOCK,
  EVENT_STORE,
  INITIATIVE_DECISION_HANDLER,
  LOG_KEYS,
  METRICS,
  PARTIES,
  READ_STORE,
  READINESS_CHECKS,
  TOKEN_VERIFIER,
} from './infrastructure/tokens';
import { MetricsController } from './health/metrics.controller';
import { GetPartiesController } from './parties/get-parties.controller';
import { InitiativesModule } from './initiatives/initiatives.module';
import { TransparencyLogModule } from './transparency-log/transparency-log.module';

/**
 * The process's wiring: what the infrastructure provides to every module, the cross-cutting HTTP parts (guards, the
 * problem filter, validation), and the feature modules.
 */
@Global()
@Module({})
export class AppModule {
  static register(infrastructure: Infrastructure): DynamicModule {
    const provided = [
      { provide: ACCORD_CONFIG, useValue: infrastructure.config },
      { provide: EVENT_STORE, useValue: infrastructure.eventStore },
      { provide: TOKEN_VERIFIER, useValue: infrastructure.verifier },
      { provide: PARTIES, useValue: infrastructure.parties },
      { provide: CLOCK, useValue: infrastructure.clock },
      { provide: INITIATIVE_DECISION_HANDLER, useValue: infrastructure.decisionHandler },
      { provide: READ_STORE, useValue: infrastructure.readStore },
      { provide: METRICS, useValue: infrastructure.metrics },
      { provide: READINESS_CHECKS, useValue: readinessChecks(infrastructure) },
      { provide: LOG_KEYS, useValue: infrastructure.logKeys },
      { provide: CHECKPOINT_SIGNER, useValue: infrastructure.workers.checkpointSigner },
    ];
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot({
          throttlers: [
            { name: RATE_LIMIT, ttl: 60_000, limit: infrastructure.config.rateLimit.requestsPerMinute },
          ],
          // Retry-After is what clients need; the X-RateLimit-* headers would cost every request.
          setHeaders: false,
          storage: new FixedWindowThrottlerStorage(),
        }),
        InitiativesModule,
        TransparencyLogModule,
      ],
      controllers: [GetPartiesController, HealthController, MetricsController],
      providers: [
        ...provided,
        // In this order: the rate limit counts per subject, which authentication sets.
        RateLimitGuard,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
      ],
      exports: provided.map((provider) => provider.provide),
    };
  }
}
