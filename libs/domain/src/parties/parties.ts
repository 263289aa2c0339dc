import defaultParties from './ots-parties.json';

export type PartyRole = 'member' | 'observer';

export interface Party {
  code: string;
  name: string;
  role: PartyRole;
}

/** The states of one organisation, as configured by its parties file. */
export class Parties {
  private readonly byCode: ReadonlyMap<string, Party>;

  constructor(readonly all: readonly Party[]) {
    this.byCode = new Map(all.map((party) => [party.code, party]));
  }

  find(code: string): Party | undefined {
    return this.byCode.get(code);
  }

  isMember(code: string): boolean {
    return this.byCode.get(code)?.role === 'member';
  }
}

/** The Organization of Turkic States: the parties used when no parties file is configured. */
export const DEFAULT_PARTIES: readonly Party[] = defaultParties as Party[];
