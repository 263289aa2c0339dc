import { Actor, FundingDecisionKind, Proposal, ProposalChanges, SignOffDecision } from './types';

export interface CommandMetadata {
  actor: Actor;
  /** The command's own time, read from a clock outside the domain. */
  now: Date;
}

type Command<Type extends string, Data> = { type: Type; data: Data; metadata: CommandMetadata };

export type ProposeInitiative = Command<'ProposeInitiative', Proposal>;

export type RecordNationalSignOff = Command<
  'RecordNationalSignOff',
  {
    initiativeId: string;
    state: string;
    decision: SignOffDecision;
    proposalVersion: number;
    comment: string | null;
  }
>;

export type RequestChanges = Command<
  'RequestChanges',
  { initiativeId: string; state: string; proposalVersion: number; comment: string }
>;

export type AmendInitiative = Command<
  'AmendInitiative',
  { initiativeId: string; proposalVersion: number; changes: ProposalChanges }
>;

export type WithdrawInitiative = Command<'WithdrawInitiative', { initiativeId: string; reason: string }>;

export type ExpireSignOffs = Command<'ExpireSignOffs', { initiativeId: string }>;

export type RecordFundingDecision = Command<
  'RecordFundingDecision',
  {
    initiativeId: string;
    decision: FundingDecisionKind;
    amount: string | null;
    currency: string | null;
    fundingBody: string;
    conditions: string | null;
  }
>;

export type InitiativeCommand =
  | ProposeInitiative
  | RecordNationalSignOff
  | RequestChanges
  | AmendInitiative
  | WithdrawInitiative
  | ExpireSignOffs
  | RecordFundingDecision;
