import { Decider } from '../decider';
import { DomainErrorCode, isDomainError } from '../errors';

/** Given past events, when a command is decided, then these events (or this error) result. */
export function deciderSpecification<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, state);
          return {
            then(expected: Event[]) {
              expect(decide()).toEqual(expected);
            },
            thenNothingHappens() {
              expect(decide()).toEqual([]);
            },
            thenThrows(code: DomainErrorCode, field?: string) {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(isDomainError(thrown) ? thrown.code : thrown).toBe(code);
              if (field && isDomainError(thrown))
                expect(thrown.errors.map((error) => error.field)).toContain(field);
            },
          };
        },
      };
    },
  };
}
