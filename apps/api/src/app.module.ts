import { DynamicModule, Module } from '@nestjs/common';
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
  CLOCK,
  EVENT_STORE,
  INITIATIVE_COMMAND_HANDLER,
  METRICS,
  PARTIES,
  READ_STORE,
  READINESS_CHECKS,
  TOKEN_VERIFIER,
} from './infrastructure/tokens';
import { MetricsController } from './health/metrics.controller';
import { ListInitiativesController } from './initiatives/list-initiatives/list-initiatives.controller';
import { ListInitiativesHandler } from './initiatives/list-initiatives/list-initiatives.handler';
import { InitiativeViews } from './initiatives/shared/initiative-views.service';
import { AmendInitiativeController } from './initiatives/amend-initiative/amend-initiative.controller';
import { AmendInitiativeHandler } from './initiatives/amend-initiative/amend-initiative.handler';
import { GetAuditBundleController } from './initiatives/get-audit-bundle/get-audit-bundle.controller';
import { GetAuditBundleHandler } from './initiatives/get-audit-bundle/get-audit-bundle.handler';
import { GetAuditController } from './initiatives/get-audit/get-audit.controller';
import { GetAuditHandler } from './initiatives/get-audit/get-audit.handler';
import { GetHistoryController } from './initiatives/get-history/get-history.controller';
import { GetHistoryHandler } from './initiatives/get-history/get-history.handler';
import { GetInitiativeController } from './initiatives/get-initiative/get-initiative.controller';
import { GetInitiativeHandler } from './initiatives/get-initiative/get-initiative.handler';
import { GetStateAtController } from './initiatives/get-state-at/get-state-at.controller';
import { GetStateAtHandler } from './initiatives/get-state-at/get-state-at.handler';
import { ProposeInitiativeController } from './initiatives/propose-initiative/propose-initiative.controller';
import { ProposeInitiativeHandler } from './initiatives/propose-initiative/propose-initiative.handler';
import { RecordFundingDecisionController } from './initiatives/record-funding-decision/record-funding-decision.controller';
import { RecordFundingDecisionHandler } from './initiatives/record-funding-decision/record-funding-decision.handler';
import { RecordSignOffController } from './initiatives/record-sign-off/record-sign-off.controller';
import { RecordSignOffHandler } from './initiatives/record-sign-off/record-sign-off.handler';
import { RequestChangesController } from './initiatives/request-changes/request-changes.controller';
import { RequestChangesHandler } from './initiatives/request-changes/request-changes.handler';
import { InitiativeCommands } from './initiatives/shared/initiative-commands.service';
import { InitiativeReader } from './initiatives/shared/initiative-reader.service';
import { WithdrawInitiativeController } from './initiatives/withdraw-initiative/withdraw-initiative.controller';
import { WithdrawInitiativeHandler } from './initiatives/withdraw-initiative/withdraw-initiative.handler';
import { GetPartiesController } from './parties/get-parties.controller';

@Module({})
export class AppModule {
  static register(infrastructure: Infrastructure): DynamicModule {
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
      ],
      controllers: [
        ProposeInitiativeController,
        RecordSignOffController,
        RequestChangesController,
        AmendInitiativeController,
        WithdrawInitiativeController,
        RecordFundingDecisionController,
        GetInitiativeController,
        GetHistoryController,
        GetStateAtController,
        GetAuditController,
        GetAuditBundleController,
        ListInitiativesController,
        GetPartiesController,
        HealthController,
        MetricsController,
      ],
      providers: [
        { provide: ACCORD_CONFIG, useValue: infrastructure.config },
        { provide: EVENT_STORE, useValue: infrastructure.eventStore },
        { provide: TOKEN_VERIFIER, useValue: infrastructure.verifier },
        { provide: PARTIES, useValue: infrastructure.parties },
        { provide: CLOCK, useValue: infrastructure.clock },
        { provide: INITIATIVE_COMMAND_HANDLER, useValue: infrastructure.commandHandler },
        { provide: READ_STORE, useValue: infrastructure.readStore },
        { provide: METRICS, useValue: infrastructure.metrics },
        { provide: READINESS_CHECKS, useValue: readinessChecks(infrastructure) },
        // In this order: the rate limit counts per subject, which authentication sets.
        RateLimitGuard,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        InitiativeCommands,
        InitiativeReader,
        InitiativeViews,
        ListInitiativesHandler,
        ProposeInitiativeHandler,
        RecordSignOffHandler,
        RequestChangesHandler,
        AmendInitiativeHandler,
        WithdrawInitiativeHandler,
        RecordFundingDecisionHandler,
        GetInitiativeHandler,
        GetHistoryHandler,
        GetStateAtHandler,
        GetAuditHandler,
        GetAuditBundleHandler,
      ],
    };
  }
}
