import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccordMetrics } from '@accord/runtime';
import { ApiPublicProblems } from '../http/openapi';
import { Public } from '../http/public.decorator';
import { RATE_LIMIT } from '../http/rate-limit.guard';
import { METRICS } from '../infrastructure/tokens';

@ApiTags('operations')
@Public()
@SkipThrottle({ [RATE_LIMIT]: true })
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: AccordMetrics) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics: HTTP latency, commands, events appended, projection and relay lag',
    security: [],
  })
  @ApiOkResponse({ description: 'Prometheus text format' })
  @ApiPublicProblems()
  scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
