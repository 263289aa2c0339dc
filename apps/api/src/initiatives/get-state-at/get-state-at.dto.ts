import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, Matches } from 'class-validator';
import { IsOmittable } from '../../http/validation';

export class StateAtDto {
  @IsOmittable()
  @IsString()
  @Matches(/^\d{1,9}$/, { message: 'must be a stream revision (0 or more)' })
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'Replay up to this stream revision, inclusive',
  })
  atRevision?: string;

  @IsOmittable()
  @IsString()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Replay the events that occurred up to this instant',
  })
  at?: string;
}
