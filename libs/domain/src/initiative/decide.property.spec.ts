import fc from 'fast-check';
import { initiativeDecider } from './decide';
import { InitiativeCommand } from './commands';
import { InitiativeEvent } from './events';
import { Initiative, InitiativeState } from './state';
import { isDomainError } from '../errors';
import { assertNever } from '../decider';
import {
  auditor,
  DEADLINE,
  focalPoint,
  fundBoard,
  INITIATIVE_ID,
  MEMBERS,
  decisionContext,
  proposal,
  secretariat,
  system,
} from '../testing/fixtures';

const decider = initiativeDecider(decisionContext);
/** A command before its actor and time are bound to it. */
type UnboundCommand = InitiativeCommand extends infer C
  ? C extends InitiativeCommand
    ? Omit<C, 'metadata'>
    : never
  : never;
const START = Date.parse('2026-03-01T00:00:00Z');
const DEADLINE_MS = Date.parse(DEADLINE);

const actorArb = fc.oneof(
  fc.constantFrom(...MEMBERS, 'HUN').map((country) => focalPoint(country)),
  fc.constantFrom(secretariat, fundBoard, auditor, system),
);
const stateArb = fc.constantFrom(...MEMBERS);
const versionArb = fc.integer({ min: 1, max: 4 });

/** A command without its initiative-independent metadata: the actor and the time are drawn separately. */
const commandArb: fc.Arbitrary<UnboundCommand> = fc.oneof(
  fc
    .record({
      participatingStates: fc.subarray(MEMBERS, { minLength: 2 }),
      quorum: fc.option(fc.integer({ min: 2, max: 5 }), { nil: undefined }),
    })
    .map(({ participatingStates, quorum }) => ({
      type: 'ProposeInitiative' as const,
      data: proposal({
        proposingState: participatingStates[0],
        participatingStates,
        approvalRule: quorum
          ? { kind: 'quorum', minApprovals: Math.min(quorum, participatingStates.length) }
          : { kind: 'unanimity' },
      }),
    })),
  fc
    .record({
      state: stateArb,
      decision: fc.constantFrom('approve', 'reject', 'abstain'),
      proposalVersion: versionArb,
    })
    .map(({ state, decision, proposalVersion }) => ({
      type: 'RecordNationalSignOff' as const,
      data: {
        initiativeId: INITIATIVE_ID,
        state,
        decision: decision as 'approve',
        proposalVersion,
        comment: null,
        proposalHash: null,
      },
    })),
  fc.record({ state: stateArb, proposalVersion: versionArb }).map(({ state, proposalVersion }) => ({
    type: 'RequestChanges' as const,
    data: {
      initiativeId: INITIATIVE_ID,
      state,
      proposalVersion,
      comment: 'Please revise',
      proposalHash: null,
    },
  })),
  fc
    .record({ proposalVersion: versionArb, summary: fc.string({ minLength: 1, maxLength: 20 }) })
    .map((data) => ({
      type: 'AmendInitiative' as const,
      data: {
        initiativeId: INITIATIVE_ID,
        proposalVersion: data.proposalVersion,
        changes: { summary: data.summary },
      },
    })),
  fc
    .record({ proposalVersion: versionArb, daysAfterStart: fc.integer({ min: 1, max: 400 }) })
    .map(({ proposalVersion, daysAfterStart }) => ({
      type: 'AmendInitiative' as const,
      data: {
        initiativeId: INITIATIVE_ID,
        proposalVersion,
        changes: { signOffDeadline: new Date(START + daysAfterStart * 86_400_000).toISOString() },
      },
    })),
  fc.constant({
    type: 'WithdrawInitiative' as const,
    data: { initiativeId: INITIATIVE_ID, reason: 'No longer needed' },
  }),
  fc.constant({ type: 'ExpireSignOffs' as const, data: { initiativeId: INITIATIVE_ID } }),
  fc.constantFrom('granted', 'partially-granted', 'declined').map((decision) => ({
    type: 'RecordFundingDecision' as const,
    data: {
      initiativeId: INITIATIVE_ID,
      decision: decision as 'granted',
      amount: decision === 'partially-granted' ? '1000.00' : null,
      currency: decision === 'partially-granted' ? 'USD' : null,
      fundingBody: 'Fund',
      conditions: null,
    },
  })),
);

/** Actors are biased towards the ones allowed to act, so that histories go deep. */
const stepArb = fc.record({
  command: commandArb,
  actor: actorArb,
  useRightfulActor: fc.boolean(),
  minutesLater: fc.integer({ min: 0, max: 20_000 }),
});

function rightfulActor(command: UnboundCommand) {
  switch (command.type) {
    case 'ProposeInitiative':
    case 'AmendInitiative':
    case 'WithdrawInitiative':
      return secretariat;
    case 'RecordNationalSignOff':
    case 'RequestChanges':
      return focalPoint(command.data.state);
    case 'ExpireSignOffs':
      return system;
    case 'RecordFundingDecision':
      return fundBoard;
    default:
      return assertNever(command);
  }
}

const OUTCOMES = [
  'InitiativeApproved',
  'InitiativeRejected',
  'InitiativeWithdrawn',
  'SignOffDeadlineExpired',
];

describe('Initiative decider, over random command sequences', () => {
  it('keeps every invariant of the lifecycle', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
        let state = decider.initialState();
        let now = START;
        const history: InitiativeEvent[] = [];
        const outcomesByVersion = new Map<number, string[]>();

        for (const step of steps) {
          now += step.minutesLater * 60_000;
          const actor = step.useRightfulActor ? rightfulActor(step.command) : step.actor;
          const command = { ...step.command, metadata: { actor, now: new Date(now) } } as InitiativeCommand;
          let events: InitiativeEvent[];
          try {
            events = decider.decide(command, state);
          } catch (error) {
            expect(isDomainError(error)).toBe(true);
            continue;
          }
          for (const event of events) {
            const before = state as Initiative;
            if (event.type === 'NationalSignOffRecorded') {
              expect(event.data.proposalVersion).toBe(before.proposalVersion);
              expect(before.status).toBe('awaiting-sign-offs');
              expect(now).toBeLessThan(DEADLINE_MS);
            }
            if (event.type === 'FundingDecisionRecorded') expect(before.status).toBe('approved');
            if (OUTCOMES.includes(event.type)) {
              const outcomes = outcomesByVersion.get(before.proposalVersion) ?? [];
              outcomes.push(event.type);
              outcomesByVersion.set(before.proposalVersion, outcomes);
            }
            state = decider.evolve(state, event);
            history.push(event);
          }
        }

        for (const outcomes of outcomesByVersion.values()) {
          // A withdrawal may end an approved initiative; any other second outcome of one version is a defect.
          const allowed =
            outcomes.length === 1 ||
            (outcomes.length === 2 && outcomes.join() === 'InitiativeApproved,InitiativeWithdrawn');
          expect({ outcomes, allowed }).toEqual({ outcomes, allowed: true });
        }
        expect(history.reduce(decider.evolve, decider.initialState())).toEqual(state);
      }),
      { numRuns: 1000 },
    );
  });

  it('decides every command alike, whenever the deadline scheduler ran before it', () => {
    const outcomeOf = (command: InitiativeCommand, state: InitiativeState) => {
      try {
        return { events: decider.decide(command, state) };
      } catch (error) {
        if (!isDomainError(error)) throw error;
        return { refused: error.code };
      }
    };
    // Every history opens with a proposal whose deadline comes within a few steps; amendments may move it.
    const openingArb = fc
      .record({
        participatingStates: fc.subarray(MEMBERS, { minLength: 2 }),
        deadlineDays: fc.integer({ min: 1, max: 60 }),
      })
      .map(({ participatingStates, deadlineDays }) =>
        decider.evolve(decider.initialState(), {
          type: 'InitiativeProposed',
          data: {
            ...proposal({
              proposingState: participatingStates[0],
              participatingStates,
              signOffDeadline: new Date(START + deadlineDays * 86_400_000).toISOString(),
            }),
            proposalVersion: 1,
            signature: null,
          },
          metadata: { actor: secretariat, occurredAt: new Date(START).toISOString() },
        }),
      );
    const commandsArb = fc.array(fc.record({ step: stepArb, schedulerRunsFirst: fc.boolean() }), {
      minLength: 1,
      maxLength: 60,
    });
    let decidedAfterDeadline = 0;
    fc.assert(
      fc.property(openingArb, commandsArb, (opening, steps) => {
        let withoutScheduler = opening;
        let withScheduler = opening;
        let now = START;
        for (const { step, schedulerRunsFirst } of steps) {
          if (step.command.type === 'ExpireSignOffs') continue;
          now += step.minutesLater * 60_000;
          const at = { now: new Date(now) };
          if (schedulerRunsFirst) {
            const expiry = decider.decide(
              {
                type: 'ExpireSignOffs',
                data: { initiativeId: INITIATIVE_ID },
                metadata: { actor: system, ...at },
              },
              withScheduler,
            );
            withScheduler = expiry.reduce(decider.evolve, withScheduler);
          }
          const actor = step.useRightfulActor ? rightfulActor(step.command) : step.actor;
          const command = { ...step.command, metadata: { actor, ...at } } as InitiativeCommand;
          const alone = outcomeOf(command, withoutScheduler);
          const afterScheduler = outcomeOf(command, withScheduler);
          expect(afterScheduler).toEqual(alone);
          const deadline = Date.parse((withoutScheduler as Initiative).signOffDeadline);
          if (now >= deadline) decidedAfterDeadline++;
          withoutScheduler = (alone.events ?? []).reduce(decider.evolve, withoutScheduler);
          withScheduler = (afterScheduler.events ?? []).reduce(decider.evolve, withScheduler);
        }
      }),
      { numRuns: 1000 },
    );
    // The property says something only if many commands met a deadline that had come.
    expect(decidedAfterDeadline).toBeGreaterThan(1000);
  });
});
