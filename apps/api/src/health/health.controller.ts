import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OpsCheck, runChecks } from '@accord/runtime';
import { ApiPublicProblems, RETRY_AFTER_HEADER } from '../http/openapi';
import { Public } from '../http/public.decorator';
import { RATE_LIMIT } from '../http/rate-limit.guard';
import { READINESS_CHECKS } from '../infrastructure/tokens';

@ApiTags('operations')
@Public()
@SkipThrottle({ [RATE_LIMIT]: true })
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: OpsCheck[]) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up', security: [] })
  @ApiOkResponse({ description: 'Alive' })
  @ApiPublicProblems()
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The process can serve: 503 when the event store or the read store is unreachable',
    security: [],
  })
  @ApiOkResponse({
    description: 'Ready, with the state of every dependency, Kafka, and the projection and relay lag',
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready, with the same report',
    headers: { 'Retry-After': RETRY_AFTER_HEADER },
  })
  @ApiPublicProblems()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, body } = await runChecks(this.checks);
    void reply.status(ready ? 200 : 503);
    if (!ready) void reply.header('retry-after', '5');
    return body;
  }
}
