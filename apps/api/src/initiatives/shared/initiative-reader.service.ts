import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@accord/auth';
import { ChainVerification, exportBundle, AuditBundle, verifyChain } from '@accord/audit';
import { initiativeStreamId, isProposed } from '@accord/domain';
import {
  CorruptEventError,
  EventStore,
  ReadStreamOptions,
  readStreamFilter,
  StoredEvent,
} from '@accord/event-store';
import { InitiativeView, toInitiativeView } from '@accord/read-model';
import { InitiativeCommandHandler } from '../../infrastructure/infrastructure';
import { assertVisible, initiativeNotFound } from './visibility';
import { Clock, CLOCK, EVENT_STORE, INITIATIVE_COMMAND_HANDLER } from '../../infrastructure/tokens';
import { ProblemException } from '../../http/problem';

/** An event as the API shows it (api.md, `EventRecord`). */
export type EventRecord = Omit<StoredEvent, 'streamId' | 'position'>;

export interface AuditReport extends Omit<ChainVerification, 'headHash'> {
  initiativeId: string;
  headHash: string;
}

/** Reads straight from the event store: history, time travel and audit. */
@Injectable()
export class InitiativeReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(INITIATIVE_COMMAND_HANDLER) private readonly handler: InitiativeCommandHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The initiative's events if the principal may see it (judged by its current participants), else not found. */
  private async visibleStream(principal: Principal, initiativeId: string): Promise<StoredEvent[]> {
    const events = await this.store.readStream(initiativeStreamId(initiativeId));
    assertVisible(principal, this.handler.fold(events));
    return events;
  }

  async view(
    principal: Principal,
    initiativeId: string,
    options: ReadStreamOptions = {},
  ): Promise<InitiativeView> {
    const events = await this.visibleStream(principal, initiativeId);
    const upTo = events.filter(readStreamFilter(options));
    const state = this.handler.fold(upTo);
    if (!isProposed(state))
      throw new ProblemException('not-found', 'The initiative did not exist at that point');
    return toInitiativeView(state, upTo.length - 1);
  }

  async history(principal: Principal, initiativeId: string): Promise<EventRecord[]> {
    return (await this.visibleStream(principal, initiativeId)).map(toEventRecord);
  }

  async audit(principal: Principal, initiativeId: string): Promise<AuditReport> {
    const { verification, corruptAt } = await this.readForAudit(principal, initiativeId);
    const { eventCount, headHash, verified, brokenAtRevision } = verification;
    const report = { initiativeId, eventCount, headHash, verified, brokenAtRevision };
    if (corruptAt === null || brokenAtRevision !== null) return report;
    return { ...report, verified: false, brokenAtRevision: corruptAt, eventCount: corruptAt + 1 };
  }

  /** The bundle of what is stored; an event that cannot be read is exported as a record that breaks the chain there. */
  async auditBundle(
    principal: Principal,
    initiativeId: string,
  ): Promise<AuditBundle<EventRecord> & { initiativeId: string }> {
    const streamId = initiativeStreamId(initiativeId);
    const { events, corruptAt } = await this.readForAudit(principal, initiativeId);
    const records = events.map(toEventRecord);
    if (corruptAt !== null) records.push(unreadableRecord(corruptAt));
    return { ...exportBundle(streamId, records, this.clock()), initiativeId };
  }

  /**
   * Audit reads the stream as stored, damage included, and never folds a damaged event: who may see the initiative
   * is judged on the events before the first broken link (a focal point sees nothing when the proposal itself is
   * damaged; the other roles see the report).
   */
  private async readForAudit(
    principal: Principal,
    initiativeId: string,
  ): Promise<{ events: StoredEvent[]; corruptAt: number | null; verification: ChainVerification }> {
    const streamId = initiativeStreamId(initiativeId);
    let events: StoredEvent[];
    let corruptAt: number | null = null;
    try {
      events = await this.store.readStream(streamId);
    } catch (error) {
      if (!(error instanceof CorruptEventError)) throw error;
      events = error.readBefore;
      corruptAt = error.revision;
    }
    if (events.length === 0 && corruptAt === null) throw initiativeNotFound();
    const verification = verifyChain(streamId, events);
    if (principal.role === 'focal-point')
      assertVisible(
        principal,
        this.handler.fold(events.slice(0, verification.brokenAtRevision ?? events.length)),
      );
    return { events, corruptAt, verification };
  }
}

/** Stands for a stored event that cannot be decoded: no hash can match it, so verification stops at its revision. */
function unreadableRecord(revision: number): EventRecord {
  return {
    revision,
    eventId: '',
    type: 'unreadable',
    occurredAt: '',
    actor: { sub: '', role: 'system', country: null },
    data: {},
    metadata: { correlationId: '', causationId: null, schemaVersion: 0, idempotencyKey: null },
    prevHash: '',
    hash: '',
  };
}

export function toEventRecord({
  streamId: _streamId,
  position: _position,
  ...record
}: StoredEvent): EventRecord {
  return record;
}
