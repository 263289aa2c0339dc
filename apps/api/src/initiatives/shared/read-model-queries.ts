import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@accord/auth';
import { countryScope, foldRecorded, initiativeStreamId, isProposed, isVisibleTo } from '@accord/domain';
import { EventStore, sleep } from '@accord/event-store';
import {
  InitiativeSummary,
  InitiativeQueries,
  InitiativeView,
  ListFilter,
  ReadStore,
  toInitiativeSummary,
  toInitiativeView,
} from '@accord/read-model';
import { Clock, CLOCK, EVENT_STORE, READ_STORE } from '../../infrastructure/tokens';
import { ProblemException } from '../../http/problem';
import { assertVisible, initiativeNotFound } from './visibility';

const MIN_REVISION_WAIT_MS = 5000;
const MIN_REVISION_POLL_MS = 20;

export interface InitiativePage {
  items: InitiativeSummary[];
  nextCursor: string | null;
}

export type ListCriteria = Omit<ListFilter, 'visibleTo' | 'before' | 'pendingFor'> & {
  pendingFor?: string;
  cursor?: string;
};

/** Queries served from the read model. */
@Injectable()
export class ReadModelQueries {
  private readonly initiatives: InitiativeQueries;

  constructor(
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.initiatives = new InitiativeQueries(readStore);
  }

  /** With `minRevision`, waits up to 5 s for the projection to reach it (read-your-writes after a command). */
  async get(principal: Principal, initiativeId: string, minRevision?: number): Promise<InitiativeView> {
    const deadline = Date.now() + MIN_REVISION_WAIT_MS;
    for (;;) {
      const found = await this.initiatives.findInitiative(initiativeId);
      if (found) assertVisible(principal, found.state);
      if (found && (minRevision === undefined || found.revision >= minRevision))
        return toInitiativeView(found.state, found.revision);
      // Not projected yet: worth waiting for only if the event store holds it (and shows it to this principal).
      if (!found && (minRevision === undefined || !(await this.storedAndVisible(principal, initiativeId))))
        throw initiativeNotFound();
      if (Date.now() >= deadline)
        throw new ProblemException(
          'projection-lagging',
          `The read model has not reached revision ${minRevision} of this initiative yet`,
          undefined,
          { 'retry-after': '1' },
        );
      await sleep(MIN_REVISION_POLL_MS);
    }
  }

  private async storedAndVisible(principal: Principal, initiativeId: string): Promise<boolean> {
    const state = foldRecorded(await this.eventStore.readStream(initiativeStreamId(initiativeId)));
    return isProposed(state) && isVisibleTo(principal, state);
  }

  async list(principal: Principal, criteria: ListCriteria): Promise<InitiativePage> {
    const { cursor, pendingFor, ...filter } = criteria;
    const visibleTo = countryScope(principal) ?? undefined;
    const page = await this.initiatives.list({
      ...filter,
      pendingFor: pendingFor === undefined ? undefined : { country: pendingFor, at: this.clock() },
      visibleTo,
      before: cursor ? decodeCursor(cursor) : undefined,
    });
    const last = page.rows[page.rows.length - 1];
    return {
      items: page.rows.map((row) => toInitiativeSummary(toInitiativeView(row.state, row.revision))),
      nextCursor: page.hasMore && last ? encodeCursor(last.createdPosition) : null,
    };
  }
}

function encodeCursor(createdPosition: number): string {
  return Buffer.from(JSON.stringify({ before: createdPosition })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { before } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isSafeInteger(before) && before > 0) return before;
  } catch {
    // Reported below, as any other cursor this server did not issue.
  }
  throw new ProblemException('validation-failed', 'The cursor is not one this server issued', [
    { field: 'cursor', message: 'must be a nextCursor from a previous page' },
  ]);
}
