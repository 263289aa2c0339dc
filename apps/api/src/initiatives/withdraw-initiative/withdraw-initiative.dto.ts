import { SignedBody, Text } from '../shared/fields';

export class WithdrawInitiativeDto extends SignedBody {
  @Text(1, 2000, 'Why the initiative is withdrawn')
  reason!: string;
}
