import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { ReadinessCheck, READINESS_CHECKS } from './readiness';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ description: 'Alive' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The process can serve: 503 when the event store or the read store is unreachable',
  })
  @ApiOkResponse({ description: 'Ready, with the state of every dependency and lag' })
  @ApiServiceUnavailableResponse({ description: 'Not ready' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const results = await Promise.all(
      this.checks.map(async (check) => [check.name, await check.run()] as const),
    );
    const ready = results.every(([, result]) => !result.critical || result.status === 'up');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) };
  }
}
