import { Module } from '@nestjs/common';
import { AmendInitiativeController } from './amend-initiative/amend-initiative.controller';
import { AmendInitiativeHandler } from './amend-initiative/amend-initiative.command';
import { GetAuditBundleController } from './get-audit-bundle/get-audit-bundle.controller';
import { GetAuditBundleHandler } from './get-audit-bundle/get-audit-bundle.query';
import { GetAuditController } from './get-audit/get-audit.controller';
import { GetAuditHandler } from './get-audit/get-audit.query';
import { GetHistoryController } from './get-history/get-history.controller';
import { GetHistoryHandler } from './get-history/get-history.query';
import { GetPortfolioController } from './get-portfolio/get-portfolio.controller';
import { GetPortfolioHandler } from './get-portfolio/get-portfolio.query';
import { GetInitiativeController } from './get-initiative/get-initiative.controller';
import { GetInitiativeHandler } from './get-initiative/get-initiative.query';
import { GetStateAtController } from './get-state-at/get-state-at.controller';
import { GetStateAtHandler } from './get-state-at/get-state-at.query';
import { ListInitiativesController } from './list-initiatives/list-initiatives.controller';
import { ListInitiativesHandler } from './list-initiatives/list-initiatives.query';
import { ProposeInitiativeController } from './propose-initiative/propose-initiative.controller';
import { ProposeInitiativeHandler } from './propose-initiative/propose-initiative.command';
import { RecordFundingDecisionController } from './record-funding-decision/record-funding-decision.controller';
import { RecordFundingDecisionHandler } from './record-funding-decision/record-funding-decision.command';
import { RecordSignOffController } from './record-sign-off/record-sign-off.controller';
import { RecordSignOffHandler } from './record-sign-off/record-sign-off.command';
import { RequestChangesController } from './request-changes/request-changes.controller';
import { RequestChangesHandler } from './request-changes/request-changes.command';
import { WithdrawInitiativeController } from './withdraw-initiative/withdraw-initiative.controller';
import { WithdrawInitiativeHandler } from './withdraw-initiative/withdraw-initiative.command';
import { CommandExecutor } from './shared/command-executor';
import { EventStoreQueries } from './shared/event-store-queries';
import { ReadModelQueries } from './shared/read-model-queries';
import { Signatures } from './shared/signatures';
import { TransparencyLogModule } from '../transparency-log/transparency-log.module';

/** Commands: each slice's route, and its handler that maps the request to the domain and executes it. */
const COMMANDS = {
  controllers: [
    ProposeInitiativeController,
    RecordSignOffController,
    RequestChangesController,
    AmendInitiativeController,
    WithdrawInitiativeController,
    RecordFundingDecisionController,
  ],
  handlers: [
    ProposeInitiativeHandler,
    RecordSignOffHandler,
    RequestChangesHandler,
    AmendInitiativeHandler,
    WithdrawInitiativeHandler,
    RecordFundingDecisionHandler,
  ],
};

/** Queries: from the read model (views and lists) or straight from the event store (history, time travel, audit). */
const QUERIES = {
  controllers: [
    GetInitiativeController,
    ListInitiativesController,
    GetHistoryController,
    GetStateAtController,
    GetAuditController,
    GetAuditBundleController,
    GetPortfolioController,
  ],
  handlers: [
    GetInitiativeHandler,
    ListInitiativesHandler,
    GetHistoryHandler,
    GetStateAtHandler,
    GetAuditHandler,
    GetAuditBundleHandler,
    GetPortfolioHandler,
  ],
};

/** What the slices share: the one write path for HTTP, and the two read paths. */
const SHARED = [CommandExecutor, Signatures, ReadModelQueries, EventStoreQueries];

@Module({
  imports: [TransparencyLogModule],
  controllers: [...COMMANDS.controllers, ...QUERIES.controllers],
  providers: [...COMMANDS.handlers, ...QUERIES.handlers, ...SHARED],
})
export class InitiativesModule {}
