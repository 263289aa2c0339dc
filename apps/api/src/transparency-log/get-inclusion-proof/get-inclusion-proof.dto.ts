import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IsOmittable } from '../../http/validation';
import { TreeIndexQuery } from '../shared/log-slice';

export class InclusionProofQueryDto {
  @TreeIndexQuery('The leaf: its index in the log (or name eventId)', false)
  leafIndex?: string;

  @IsOmittable()
  @IsUUID()
  @ApiPropertyOptional({ format: 'uuid', description: 'The leaf: the event it is (or name leafIndex)' })
  eventId?: string;

  @TreeIndexQuery("The tree's size, as a checkpoint names it; the latest checkpoint's when omitted", false)
  treeSize?: string;
}

export class InclusionProofDto {
  @ApiProperty({ type: 'integer' }) leafIndex!: number;
  @ApiProperty({ type: 'integer' }) treeSize!: number;
  @ApiProperty({ type: [String], format: 'byte', description: 'The RFC 9162 §2.1.3 audit path, base64' })
  hashes!: string[];
}
