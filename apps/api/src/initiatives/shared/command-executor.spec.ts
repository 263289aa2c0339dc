import {
  CorruptEventError,
  EventStore,
  EventStoreUnavailableError,
  RevisionMismatchError,
  TooMuchContentionError,
} from '@accord/event-store';
import { InitiativeCommand } from '@accord/domain';
import { AccordMetrics } from '@accord/runtime';
import { InitiativeDecisionHandler } from '../../infrastructure/infrastructure';
import { CommandRequest } from '../../http/request-context';
import { CommandExecutor } from './command-executor';
import { Signatures } from './signatures';

/** accord_commands_total counts every refused command under the problem code the API answers it with. */
/** Every command unsigned, as from a party without keys. */
const unsigned = { verify: async () => undefined } as unknown as Signatures;

describe('CommandExecutor counting outcomes', () => {
  const request: CommandRequest = {
    principal: { sub: 'secretariat', role: 'secretariat' } as CommandRequest['principal'],
    correlationId: 'c-1',
    body: {},
    idempotency: null,
    expectedRevision: [0],
    receivedAt: new Date(),
  };
  const command = { type: 'WithdrawInitiative' } as InitiativeCommand;

  const damaged = new CorruptEventError('initiative-x', 0, []);
  it.each([
    ['a failed If-Match', 'revision-mismatch', new RevisionMismatchError([0], 1)],
    ['contention', 'unavailable', new TooMuchContentionError('initiative-x', 20)],
    ['an unreachable store', 'unavailable', new EventStoreUnavailableError('down')],
    ['a damaged stored event', 'stored-event-damaged', damaged],
    ['an unexpected error', 'internal-error', new Error('boom')],
  ])('counts %s as %s', async (_, outcome, error) => {
    const metrics = new AccordMetrics();
    const handler = { handle: () => Promise.reject(error) } as unknown as InitiativeDecisionHandler;
    const commands = new CommandExecutor(handler, {} as EventStore, metrics, unsigned);
    await expect(commands.execute('x', command, request)).rejects.toBe(error);
    const counted = await metrics.commands.get();
    expect(counted.values).toEqual([{ labels: { type: 'WithdrawInitiative', outcome }, value: 1 }]);
  });
});
