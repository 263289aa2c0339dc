import { applyDecorators, Controller, Get, Header, Type } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsOmittable } from '../../http/validation';
import { ApiProblems } from '../../http/openapi';
import { ProblemCode } from '../../http/problem';
import { OpenToWitnesses } from '../../http/public.decorator';

/** The controller of a transparency-log slice: under /v1/log, open to any authenticated principal, witnesses too. */
export const LogController = () =>
  applyDecorators(ApiTags('transparency log'), OpenToWitnesses(), Controller('v1/log'));

/** A log query's route: GET, 200 with JSON. */
export function LogRoute(path: string, summary: string, answer: Type<unknown>, problems: ProblemCode[]) {
  return applyDecorators(
    Get(path),
    ApiOperation({ summary }),
    ApiOkResponse({ type: answer }),
    ApiProblems(...problems),
  );
}

/** A log query's route that answers text (the key, a signed note), as C2SP tools read them. */
export function LogTextRoute(path: string, summary: string, description: string, problems: ProblemCode[]) {
  return applyDecorators(
    Get(path),
    ApiOperation({ summary }),
    ApiProduces('text/plain'),
    Header('content-type', 'text/plain; charset=utf-8'),
    ApiOkResponse({ description, content: { 'text/plain': { schema: { type: 'string' } } } }),
    ApiProblems(...problems),
  );
}

/** A leaf index or a tree size in a query string: a safe integer. */
export const TreeIndexQuery = (description: string, required: boolean) =>
  applyDecorators(
    ...(required ? [] : [IsOmittable()]),
    IsString(),
    Matches(/^\d{1,15}$/, { message: 'must be an integer, 0 or more' }),
    (required ? ApiProperty : ApiPropertyOptional)({ type: 'integer', minimum: 0, description }),
  );
