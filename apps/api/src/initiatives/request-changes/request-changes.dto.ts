import { ProposalHash, ProposalVersion, SignedBody, StateCode, Text } from '../shared/fields';

export class RequestChangesDto extends SignedBody {
  @StateCode("The requesting member state: the focal point's own")
  state!: string;

  @ProposalVersion()
  proposalVersion!: number;

  @Text(1, 2000, 'What should change')
  comment!: string;

  @ProposalHash()
  proposalHash?: string;
}
