import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString } from 'class-validator';
import { IsOmittable } from '../../http/validation';
import { RevisionQuery } from '../shared/fields';

export class StateAtDto {
  @RevisionQuery('Replay up to this stream revision, inclusive')
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
