import {
  ApprovalRule,
  Category,
  ChangeRequest,
  FundingDecision,
  Initiative,
  InitiativeStatus,
  Money,
  pendingStates,
  proposalTextOf,
  SignOff,
} from '@accord/domain';
import { proposalHash } from '@accord/trust';

/** An initiative as the API shows it (api.md, `InitiativeView`). */
export interface InitiativeView {
  initiativeId: string;
  title: string;
  summary: string;
  category: Category;
  proposingState: string;
  participatingStates: string[];
  approvalRule: ApprovalRule;
  signOffDeadline: string;
  requestedFunding: Money | null;
  status: InitiativeStatus;
  proposalVersion: number;
  /** The hash of the proposal's text (docs/trust.md): what a signed sign-off or change request names. */
  proposalHash: string;
  signOffs: SignOff[];
  pendingStates: string[];
  changeRequests: ChangeRequest[];
  funding: FundingDecision | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A row of the initiatives list (api.md, `InitiativeSummary`). */
export interface InitiativeSummary {
  initiativeId: string;
  title: string;
  category: Category;
  proposingState: string;
  participatingStates: string[];
  status: InitiativeStatus;
  proposalVersion: number;
  pendingStates: string[];
  signOffDeadline: string;
  requestedFunding: Money | null;
  revision: number;
  updatedAt: string;
}

export function toInitiativeView(initiative: Initiative, revision: number): InitiativeView {
  return {
    initiativeId: initiative.initiativeId,
    title: initiative.title,
    summary: initiative.summary,
    category: initiative.category,
    proposingState: initiative.proposingState,
    participatingStates: initiative.participatingStates,
    approvalRule: initiative.approvalRule,
    signOffDeadline: initiative.signOffDeadline,
    requestedFunding: initiative.requestedFunding,
    status: initiative.status,
    proposalVersion: initiative.proposalVersion,
    proposalHash: proposalHash(proposalTextOf(initiative)),
    signOffs: initiative.signOffs,
    pendingStates: pendingStates(initiative),
    changeRequests: initiative.changeRequests,
    funding: initiative.funding,
    revision,
    createdAt: initiative.createdAt,
    updatedAt: initiative.updatedAt,
  };
}

export function toInitiativeSummary(view: InitiativeView): InitiativeSummary {
  const {
    initiativeId,
    title,
    category,
    proposingState,
    participatingStates,
    status,
    proposalVersion,
    signOffDeadline,
    requestedFunding,
    revision,
    updatedAt,
  } = view;
  return {
    initiativeId,
    title,
    category,
    proposingState,
    participatingStates,
    status,
    proposalVersion,
    pendingStates: view.pendingStates,
    signOffDeadline,
    requestedFunding,
    revision,
    updatedAt,
  };
}
