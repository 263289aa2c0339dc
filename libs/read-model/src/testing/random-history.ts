import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  Actor,
  DEFAULT_PARTIES,
  INITIATIVE_EVENT_SCHEMA,
  InitiativeCommand,
  isDomainError,
  Parties,
} from '@accord/domain';
import { proposalHash } from '@accord/trust';
import { DecisionHandler, EventStore } from '@accord/event-store';
import { initiativeDecider } from '@accord/domain';

const MEMBERS = ['AZE', 'KAZ', 'KGZ', 'TUR', 'UZB'];
const secretariat: Actor = { sub: 'secretariat', role: 'secretariat', country: null };
const fundBoard: Actor = { sub: 'fund-board', role: 'fund-board', country: null };
const system: Actor = { sub: 'scheduler', role: 'system', country: null };
const focalPoint = (country: string): Actor => ({ sub: `fp-${country}`, role: 'focal-point', country });

export interface HistoryStep {
  initiative: number;
  kind: 'propose' | 'sign' | 'request' | 'amend' | 'withdraw' | 'expire' | 'fund';
  state: string;
  decision: 'approve' | 'reject' | 'abstain';
  versionOffset: number;
  minutesLater: number;
}

/** Steps of a random history over a few dozen initiatives, biased towards commands that succeed. */
export function historyArbitrary(length: number, initiatives = 60): fc.Arbitrary<HistoryStep[]> {
  const step = fc.record({
    initiative: fc.integer({ min: 0, max: initiatives - 1 }),
    kind: fc.constantFrom<HistoryStep['kind'][]>(
      'propose',
      'propose',
      'sign',
      'sign',
      'sign',
      'sign',
      'sign',
      'request',
      'amend',
      'amend',
      'withdraw',
      'expire',
      'fund',
      'fund',
    ),
    state: fc.constantFrom(...MEMBERS),
    decision: fc.constantFrom<HistoryStep['decision'][]>(
      'approve',
      'approve',
      'approve',
      'abstain',
      'reject',
    ),
    versionOffset: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, -1, 1),
    minutesLater: fc.integer({ min: 0, max: 30 }),
  });
  return fc.array(step, { minLength: length, maxLength: length });
}

/** Runs the steps through the real command handler; answers how many commands appended events. */
export async function playHistory(
  store: EventStore,
  steps: readonly HistoryStep[],
  options: { afterEach?: (index: number) => Promise<void>; parties?: Parties } = {},
): Promise<number> {
  const parties = options.parties ?? new Parties(DEFAULT_PARTIES);
  const handler = new DecisionHandler(store, initiativeDecider({ parties, proposalHash }), {
    newEventId: randomUUID,
    ...INITIATIVE_EVENT_SCHEMA,
  });
  const ids = new Map<number, string>();
  const versions = new Map<number, number>();
  const finished = new Set<number>();
  let now = Date.parse('2026-01-05T08:00:00Z');
  let appended = 0;
  for (const [index, step] of steps.entries()) {
    now += step.minutesLater * 60_000;
    // A slot whose initiative has run its course starts a new one at its next proposal, so that histories go deep.
    if (step.kind === 'propose' && finished.delete(step.initiative)) {
      ids.delete(step.initiative);
      versions.delete(step.initiative);
    }
    const id = ids.get(step.initiative) ?? randomUUID();
    ids.set(step.initiative, id);
    const version = (versions.get(step.initiative) ?? 1) + step.versionOffset;
    const command = commandFor(step, id, version, new Date(now));
    try {
      const result = await handler.handle(`initiative-${id}`, command, {
        correlationId: `history-${index}`,
        causationId: null,
        idempotencyKey: null,
      });
      if (result.kind === 'decided') {
        appended += result.appended > 0 ? 1 : 0;
        const state = result.state;
        if (state.status !== 'not-proposed') versions.set(step.initiative, state.proposalVersion);
        if (!['not-proposed', 'awaiting-sign-offs', 'changes-requested', 'approved'].includes(state.status))
          finished.add(step.initiative);
      }
    } catch (error) {
      if (!isDomainError(error)) throw error;
    }
    await options.afterEach?.(index);
  }
  return appended;
}

function commandFor(
  step: HistoryStep,
  initiativeId: string,
  proposalVersion: number,
  now: Date,
): InitiativeCommand {
  const participants = MEMBERS.filter(
    (_, index) => (step.initiative + index) % 4 !== 0 || MEMBERS[index] === 'KAZ',
  );
  switch (step.kind) {
    case 'propose':
      return {
        type: 'ProposeInitiative',
        data: {
          initiativeId,
          title: `Initiative ${step.initiative}`,
          summary: 'Generated for a property-based test.',
          category: step.initiative % 2 === 0 ? 'space' : 'green-technology',
          proposingState: 'KAZ',
          participatingStates: participants,
          approvalRule:
            step.initiative % 3 === 0 ? { kind: 'quorum', minApprovals: 2 } : { kind: 'unanimity' },
          signOffDeadline: new Date(
            now.getTime() + (2 + (step.initiative % 9)) * 24 * 3600_000,
          ).toISOString(),
          requestedFunding: step.initiative % 2 === 0 ? { amount: '1000.00', currency: 'USD' } : null,
        },
        metadata: { actor: secretariat, now },
      };
    case 'sign':
      return {
        type: 'RecordNationalSignOff',
        data: {
          initiativeId,
          state: step.state,
          decision: step.decision,
          proposalVersion,
          comment: null,
          proposalHash: null,
        },
        metadata: { actor: focalPoint(step.state), now },
      };
    case 'request':
      return {
        type: 'RequestChanges',
        data: {
          initiativeId,
          state: step.state,
          proposalVersion,
          comment: 'More detail, please',
          proposalHash: null,
        },
        metadata: { actor: focalPoint(step.state), now },
      };
    case 'amend':
      return {
        type: 'AmendInitiative',
        data: {
          initiativeId,
          proposalVersion,
          changes: {
            summary: `Amended at ${now.toISOString()}`,
            signOffDeadline: new Date(now.getTime() + 3 * 24 * 3600_000).toISOString(),
            participatingStates:
              step.decision === 'reject' ? ['KAZ', step.state === 'KAZ' ? 'AZE' : step.state] : participants,
          },
        },
        metadata: { actor: secretariat, now },
      };
    case 'withdraw':
      return {
        type: 'WithdrawInitiative',
        data: { initiativeId, reason: 'Superseded' },
        metadata: { actor: secretariat, now },
      };
    case 'expire':
      return { type: 'ExpireSignOffs', data: { initiativeId }, metadata: { actor: system, now } };
    case 'fund':
      return {
        type: 'RecordFundingDecision',
        data: {
          initiativeId,
          decision: step.decision === 'reject' ? 'declined' : 'granted',
          amount: step.decision === 'reject' || step.initiative % 2 === 0 ? null : '500.00',
          currency: step.decision === 'reject' || step.initiative % 2 === 0 ? null : 'USD',
          fundingBody: 'Fund',
          conditions: null,
        },
        metadata: { actor: fundBoard, now },
      };
  }
}
