import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsOmittable } from '../../http/validation';

export class GetInitiativeDto {
  @IsOmittable()
  @IsString()
  @Matches(/^\d{1,9}$/, { message: 'must be a stream revision (0 or more)' })
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'Wait up to 5 s until the read model has reached this revision, else 503 projection-lagging',
  })
  minRevision?: string;
}
