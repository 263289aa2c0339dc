import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditBundle, BundleLog } from '@accord/audit';
import { AccordConfig } from '@accord/config';
import { ACCORD_CONFIG } from '../../infrastructure/tokens';
import { TransparencyLog } from '../../transparency-log/shared/transparency-log';
import { EventRecord, EventStoreQueries } from '../shared/event-store-queries';
import { InitiativeQuery } from '../shared/query-slice';

export class GetAuditBundleQuery extends InitiativeQuery<
  AuditBundle<EventRecord> & { initiativeId: string; log: BundleLog | null }
> {}

/** The stream, and the log's proof that each of its events is in a signed checkpoint (docs/trust.md §4). */
@QueryHandler(GetAuditBundleQuery)
export class GetAuditBundleHandler implements IQueryHandler<GetAuditBundleQuery> {
  /** Long enough for the signer's next round, wherever it runs. */
  private readonly checkpointWaitMs: number;

  constructor(
    private readonly history: EventStoreQueries,
    private readonly log: TransparencyLog,
    @Inject(ACCORD_CONFIG) config: AccordConfig,
  ) {
    this.checkpointWaitMs = 2 * config.log.checkpointIntervalSeconds * 1000 + 5_000;
  }

  async execute({ principal, initiativeId }: GetAuditBundleQuery) {
    const bundle = await this.history.auditBundle(principal, initiativeId);
    // A damaged event the store could not read has no id: it cannot be looked up in the log.
    const recorded = bundle.events.filter((event) => event.eventId !== '');
    return { ...bundle, log: await this.log.bundleLog(recorded, this.checkpointWaitMs) };
  }
}
