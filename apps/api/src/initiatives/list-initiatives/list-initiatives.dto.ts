import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { CATEGORIES, InitiativeStatus, STATUSES } from '@accord/domain';
import { IsOmittable } from '../../http/validation';
import { StateCode } from '../shared/fields';

export class ListInitiativesDto {
  @IsOmittable()
  @IsIn(STATUSES)
  @ApiPropertyOptional({ enum: STATUSES, enumName: 'InitiativeStatus' })
  status?: InitiativeStatus;

  @IsOmittable()
  @IsIn(CATEGORIES)
  @ApiPropertyOptional({ enum: CATEGORIES, enumName: 'Category' })
  category?: string;

  @StateCode('Only initiatives this state takes part in', false)
  participant?: string;

  @StateCode('Only initiatives awaiting a sign-off from this state on the current version', false)
  pendingFor?: string;

  @IsOmittable()
  @IsString()
  @Matches(/^([1-9]|[1-9]\d|1\d\d|200)$/, { message: 'must be an integer from 1 to 200' })
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  limit?: string;

  @IsOmittable()
  @IsString()
  @Length(1, 200)
  @ApiPropertyOptional({ type: String, description: 'nextCursor of the previous page' })
  cursor?: string;
}
