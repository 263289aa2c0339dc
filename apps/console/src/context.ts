import { createContext, useContext } from 'react';
import type { Api } from './api';
import type { Session } from './session';
import type { Party } from './types';

/** What every page of a signed-in console has: who, the API as them, and the parties (names, who has keys). */
export interface Workspace {
  session: Session;
  api: Api;
  parties: Party[];
}

export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside a signed-in console');
  return workspace;
}

/** A party's name, or its code when the parties file does not know it. */
export function partyName(parties: Party[], code: string): string {
  return parties.find((party) => party.code === code)?.name ?? code;
}
