import { applyDecorators, Controller, Get, Type } from '@nestjs/common';
import { Query } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger';
import { Principal } from '@accord/auth';
import { ApiProblems } from '../../http/openapi';
import { ProblemCode } from '../../http/problem';

/** A slice's query on the bus: who asks, about which initiative. */
export abstract class InitiativeQuery<Result> extends Query<Result> {
  constructor(
    readonly principal: Principal,
    readonly initiativeId: string,
  ) {
    super();
  }
}

/** The controller of a query slice: under /v1/initiatives, documented under its tag. */
export const QueryController = (tag: 'queries' | 'audit' = 'queries') =>
  applyDecorators(ApiTags(tag), Controller('v1/initiatives'));

export interface QueryRouteOptions {
  summary: string;
  answer: Type<unknown>;
  problems: ProblemCode[];
  description?: string;
  headers?: HeadersObject;
}

/** A query's route: GET, 200 with its answer, and the problems it can give. */
export function QueryRoute(
  path: string,
  { summary, answer, problems, description, headers }: QueryRouteOptions,
) {
  return applyDecorators(
    Get(path),
    ApiOperation({ summary }),
    ...(path.includes(':id') ? [ApiParam({ name: 'id', format: 'uuid' })] : []),
    ApiOkResponse({ type: answer, description, headers }),
    ApiProblems(...problems),
  );
}
