import { Text } from '../shared/fields';

export class WithdrawInitiativeDto {
  @Text(1, 2000, 'Why the initiative is withdrawn')
  reason!: string;
}
