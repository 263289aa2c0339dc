import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@accord/auth';
import { ChainVerification, exportBundle, AuditBundle, verifyChain } from '@accord/audit';
import { foldRecorded, initiativeStreamId, isProposed, Parties } from '@accord/domain';
import { CorruptEventError, EventStore, StoredEvent } from '@accord/event-store';
import { InitiativeView, toInitiativeView } from '@accord/read-model';
import { assertVisible, initiativeNotFound } from './visibility';
import { Clock, CLOCK, EVENT_STORE, PARTIES } from '../../infrastructure/tokens';
import { checkRecordedSignature, PartyJwk, partiesJwks, SignatureCheck } from '@accord/trust';

import { ProblemException } from '../../http/problem';

/** An event as the API shows it (api.md, `EventRecord`). */
export type EventRecord = Omit<StoredEvent, 'streamId' | 'position'>;

/** A point in an initiative's history: a revision, or an instant. */
export type StatePoint = { toRevision: number } | { until: Date };

export interface AuditReport extends Omit<ChainVerification, 'headHash'> {
  initiativeId: string;
  headHash: string;
  /** Per revision read: its link in the chain, and its signature checked against the parties' keys. */
  revisions: {
    revision: number;
    chain: 'ok' | 'broken';
    signature: SignatureCheck['signature'];
    reason?: string;
  }[];
}

/** Reads straight from the event store: history, time travel and audit. */
@Injectable()
export class EventStoreQueries {
  /** The parties' keys, with their thumbprints: computed once, the parties file being read once. */
  private readonly jwks: { keys: PartyJwk[] };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARTIES) parties: Parties,
  ) {
    this.jwks = partiesJwks(parties.entries);
  }

  /**
   * The stream as far as it can be read: the events before the first damaged one, and the error naming that one.
   * Audit reports the damage; other reads fail with it only when they need the damaged event.
   */
  private async readable(
    streamId: string,
  ): Promise<{ events: StoredEvent[]; damage: CorruptEventError | null }> {
    try {
      return { events: await this.store.readStream(streamId), damage: null };
    } catch (error) {
      if (!(error instanceof CorruptEventError)) throw error;
      return { events: error.readBefore, damage: error };
    }
  }

  /** Who may read is judged on the readable events: a damaged event is never folded. */
  private async visibleStream(
    principal: Principal,
    initiativeId: string,
  ): Promise<{ events: StoredEvent[]; damage: CorruptEventError | null }> {
    const stream = await this.readable(initiativeStreamId(initiativeId));
    // With its very first event damaged, no one can tell whom an initiative is shown to but the roles that see all.
    if (stream.damage && stream.events.length === 0 && principal.role !== 'focal-point') throw stream.damage;
    assertVisible(principal, foldRecorded(stream.events));
    return stream;
  }

  /**
   * The initiative as it stood at a revision, or at an instant: the longest prefix of its events that all occurred
   * at or before it (a stream's time never goes backwards, but stores written before that rule may hold exceptions).
   */
  async stateAt(principal: Principal, initiativeId: string, point: StatePoint): Promise<InitiativeView> {
    const { events, damage } = await this.visibleStream(principal, initiativeId);
    const end = 'toRevision' in point ? point.toRevision + 1 : prefixUntil(events, point.until);
    // Up to an instant, the damaged event is needed when every readable one is before it: it might be, too.
    const needsDamaged = 'toRevision' in point ? end > events.length : end === events.length;
    if (damage && needsDamaged) throw damage;
    if (end > events.length)
      throw new ProblemException('not-found', `The initiative has no revision ${end - 1} yet`);
    const upTo = events.slice(0, end);
    const state = foldRecorded(upTo);
    if (!isProposed(state))
      throw new ProblemException('not-found', 'The initiative did not exist at that point');
    return toInitiativeView(state, upTo.length - 1);
  }

  async events(principal: Principal, initiativeId: string): Promise<EventRecord[]> {
    const { events, damage } = await this.visibleStream(principal, initiativeId);
    if (damage) throw damage;
    return events.map(toEventRecord);
  }

  async audit(principal: Principal, initiativeId: string): Promise<AuditReport> {
    const { events, verification, corruptAt } = await this.readForAudit(principal, initiativeId);
    const { eventCount, headHash, verified, brokenAtRevision } = verification;
    const broken = brokenAtRevision ?? corruptAt;
    const revisions = await Promise.all(
      events.map(async (event) => {
        const { signature, ...check } = await checkRecordedSignature(event, this.jwks.keys);
        const reason = 'reason' in check ? { reason: check.reason } : {};
        const chain = broken !== null && event.revision >= broken ? ('broken' as const) : ('ok' as const);
        return { revision: event.revision, chain, signature, ...reason };
      }),
    );
    const report = { initiativeId, eventCount, headHash, verified, brokenAtRevision, revisions };
    if (corruptAt === null || brokenAtRevision !== null) return report;
    return { ...report, verified: false, brokenAtRevision: corruptAt, eventCount: corruptAt + 1 };
  }

  /** The bundle of what is stored; an event that cannot be read is exported as a record that breaks the chain there. */
  async auditBundle(
    principal: Principal,
    initiativeId: string,
  ): Promise<AuditBundle<EventRecord> & { initiativeId: string; keys: { keys: PartyJwk[] } }> {
    const streamId = initiativeStreamId(initiativeId);
    const { events, corruptAt } = await this.readForAudit(principal, initiativeId);
    const records = events.map(toEventRecord);
    if (corruptAt !== null) records.push(unreadableRecord(corruptAt));
    return {
      ...exportBundle(streamId, records, this.clock()),
      initiativeId,
      keys: this.jwks,
    };
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
    const { events, damage } = await this.readable(streamId);
    const corruptAt = damage?.revision ?? null;
    if (events.length === 0 && corruptAt === null) throw initiativeNotFound();
    const verification = verifyChain(streamId, events);
    if (principal.role === 'focal-point')
      assertVisible(principal, foldRecorded(events.slice(0, verification.brokenAtRevision ?? events.length)));
    return { events, corruptAt, verification };
  }
}

/** How many leading events all occurred at or before `until`. */
function prefixUntil(events: readonly StoredEvent[], until: Date): number {
  const after = events.findIndex((event) => Date.parse(event.occurredAt) > until.getTime());
  return after === -1 ? events.length : after;
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
