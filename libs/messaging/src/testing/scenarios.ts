import { randomUUID } from 'node:crypto';
import {
  DEFAULT_PARTIES,
  INITIATIVE_EVENT_SCHEMA,
  InitiativeCommand,
  initiativeDecider,
  Parties,
} from '@accord/domain';
import { proposalHash } from '@accord/trust';
import { DecisionHandler, EventStore } from '@accord/event-store';
import {
  AFTER_DEADLINE,
  at,
  focalPoint,
  fundBoard,
  MEMBERS,
  proposal,
  secretariat,
  system,
} from '../../../domain/src/testing/fixtures';

/** The command handler the runtime builds (initiativeDecisionHandler), without importing the runtime. */
export function scenarioHandler(store: EventStore) {
  const parties = new Parties(DEFAULT_PARTIES);
  return new DecisionHandler(store, initiativeDecider({ parties, proposalHash }), {
    newEventId: randomUUID,
    ...INITIATIVE_EVENT_SCHEMA,
  });
}

type ScenarioHandler = ReturnType<typeof scenarioHandler>;

/**
 * The life of one initiative, as commands. Between them they produce every event type:
 * - `funded`: changes requested, amended, five approvals (→ approved), funding granted: 10 events;
 * - `rejected`: one approval, one rejection (→ rejected): 4 events;
 * - `withdrawn`: one approval, withdrawn by the secretariat: 3 events;
 * - `expired`: one approval, the deadline passes: 3 events.
 */
export type Variant = 'funded' | 'rejected' | 'withdrawn' | 'expired';
export const ALL_VARIANTS: Variant[] = ['funded', 'rejected', 'withdrawn', 'expired'];
export const EVENTS_PER_VARIANT: Record<Variant, number> = {
  funded: 10,
  rejected: 4,
  withdrawn: 3,
  expired: 3,
};

export function scenario(initiativeId: string, variant: Variant): InitiativeCommand[] {
  const kaz = focalPoint('KAZ');
  const signOff = (
    state: string,
    decision: 'approve' | 'reject',
    proposalVersion = 1,
  ): InitiativeCommand => ({
    type: 'RecordNationalSignOff',
    data: {
      initiativeId,
      state,
      decision,
      proposalVersion,
      comment: decision === 'reject' ? 'Not now' : null,
      proposalHash: null,
    },
    metadata: at(focalPoint(state)),
  });
  const commands: InitiativeCommand[] = [
    { type: 'ProposeInitiative', data: proposal({ initiativeId }), metadata: at(kaz) },
  ];
  switch (variant) {
    case 'funded':
      commands.push(
        {
          type: 'RequestChanges',
          data: {
            initiativeId,
            state: 'AZE',
            proposalVersion: 1,
            comment: 'Please clarify the budget',
            proposalHash: null,
          },
          metadata: at(focalPoint('AZE')),
        },
        {
          type: 'AmendInitiative',
          data: { initiativeId, proposalVersion: 1, changes: { title: 'Pan-Turkic Patent Office' } },
          metadata: at(kaz),
        },
        ...MEMBERS.map((state) => signOff(state, 'approve', 2)),
        {
          type: 'RecordFundingDecision',
          data: {
            initiativeId,
            decision: 'granted',
            amount: null,
            currency: null,
            fundingBody: 'OTS Research, Development and Innovation Fund',
            conditions: null,
          },
          metadata: at(fundBoard),
        },
      );
      break;
    case 'rejected':
      commands.push(signOff('AZE', 'approve'), signOff('UZB', 'reject'));
      break;
    case 'withdrawn':
      commands.push(signOff('TUR', 'approve'), {
        type: 'WithdrawInitiative',
        data: { initiativeId, reason: 'Superseded by a joint programme' },
        metadata: at(secretariat),
      });
      break;
    case 'expired':
      commands.push(signOff('KGZ', 'approve'), {
        type: 'ExpireSignOffs',
        data: { initiativeId },
        metadata: at(system, AFTER_DEADLINE),
      });
      break;
  }
  return commands;
}

/** Runs one initiative's commands in order, each caused by the one before (so `causationid` is set from the 2nd on). */
export async function runScenario(
  handler: ScenarioHandler,
  initiativeId: string,
  variant: Variant,
): Promise<number> {
  let appended = 0;
  let causationId: string | null = null;
  for (const command of scenario(initiativeId, variant)) {
    const commandId = randomUUID();
    const result = await handler.handle(`initiative-${initiativeId}`, command, {
      correlationId: `scenario-${initiativeId}`,
      causationId,
      idempotencyKey: null,
    });
    if (result.kind !== 'decided') throw new Error('unexpected recalled answer');
    appended += result.appended;
    causationId = commandId;
  }
  return appended;
}

/** Appends `initiatives` whole scenarios, `concurrency` initiatives at a time; returns the events appended. */
export async function appendScenarios(
  store: EventStore,
  options: { initiatives: number; variants?: Variant[]; concurrency?: number },
): Promise<{ events: number; initiativeIds: string[] }> {
  const handler = scenarioHandler(store);
  const variants = options.variants ?? ALL_VARIANTS;
  const initiativeIds = Array.from({ length: options.initiatives }, () => randomUUID());
  let next = 0;
  let events = 0;
  const worker = async () => {
    while (next < initiativeIds.length) {
      const index = next++;
      const appended = await runScenario(handler, initiativeIds[index], variants[index % variants.length]);
      events += appended;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 64 }, worker));
  return { events, initiativeIds };
}
