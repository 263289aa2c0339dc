import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccordMetrics } from '@accord/runtime';
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
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: HTTP latency, commands, events appended, projection and relay lag',
  })
  @ApiOkResponse({ description: 'Prometheus text format' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
