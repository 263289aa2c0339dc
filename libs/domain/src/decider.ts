/** A pure decision model: the current state is the fold of past events; a command is decided against it. */
export interface Decider<Command, Event, State> {
  /** Throws when the command's actor may not issue it on this state; `decide` checks it too. */
  authorize?(command: Command, state: State): void;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Fails to compile when a `switch` over a discriminated union misses a case. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
