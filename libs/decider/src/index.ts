/**
 * A pure decision model: the current state is the fold of past events, and a command is decided against it. The
 * domain implements it; the write path (libs/event-store's DecisionHandler) runs it. Nothing else lives here.
 */
export interface Decider<Command, Event, State> {
  /** Throws when the command's actor may not issue it on this state; `decide` checks it too. */
  authorize?(command: Command, state: State): void;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
