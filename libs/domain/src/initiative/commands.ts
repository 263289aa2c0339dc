import { SignatureRef } from './events';
import { Actor, FundingDecisionKind, Proposal, ProposalChanges, SignOffDecision } from './types';

export interface CommandMetadata {
  actor: Actor;
  /** The command's own time, read from a clock outside the domain. */
  now: Date;
  /** The actor's party's signature over the command, verified before it reaches the domain. */
  signature?: SignatureRef;
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
    /** The hash of the proposal text the state decides on: when named, it must be the current one's. */
    proposalHash: string | null;
  }
>;

export type RequestChanges = Command<
  'RequestChanges',
  {
    initiativeId: string;
    state: string;
    proposalVersion: number;
    comment: string;
    proposalHash: string | null;
  }
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
