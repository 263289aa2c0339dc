import { ApiProperty } from '@nestjs/swagger';
import { TreeIndexQuery } from '../shared/log-slice';

/** At most this many leaves per request, as Certificate Transparency logs cap get-entries. */
export const MAX_LEAVES = 1000;

export class LeavesQueryDto {
  @TreeIndexQuery('The first leaf index', true)
  start!: string;

  @TreeIndexQuery(`The leaf index after the last; at most start + ${MAX_LEAVES}, and the tree's size`, false)
  end?: string;
}

class LeafDto {
  @ApiProperty({ type: 'integer' }) leafIndex!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: "The event's chain hash: the leaf's input" })
  hash!: string;
}

export class LeavesDto {
  @ApiProperty({ type: [LeafDto] }) leaves!: LeafDto[];
}
