/** The commands a party signs (docs/trust.md §2), as the statement's `command` names them. */
export const COMMAND_NAMES = [
  'propose-initiative',
  'record-sign-off',
  'request-changes',
  'amend-initiative',
  'withdraw-initiative',
  'record-funding-decision',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(value: unknown): value is CommandName {
  return COMMAND_NAMES.includes(value as CommandName);
}
