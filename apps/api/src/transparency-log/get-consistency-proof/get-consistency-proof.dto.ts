import { ApiProperty } from '@nestjs/swagger';
import { TreeIndexQuery } from '../shared/log-slice';

export class ConsistencyProofQueryDto {
  @TreeIndexQuery('The smaller tree size (at least 1)', true)
  from!: string;

  @TreeIndexQuery('The larger tree size', true)
  to!: string;
}

export class ConsistencyProofDto {
  @ApiProperty({ type: 'integer' }) from!: number;
  @ApiProperty({ type: 'integer' }) to!: number;
  @ApiProperty({
    type: [String],
    format: 'byte',
    description: 'The RFC 9162 §2.1.4 consistency proof, base64',
  })
  hashes!: string[];
}
