/**
 * P4: relay throughput, stored events to Kafka (acks = all), against a bare kafkajs producer sending the same
 * records with the same batching, in the same run: test/kafka/relay-throughput.ts's measureThroughput().
 */
import { measureThroughput } from '../test/kafka/relay-throughput';
import { BenchContext, Figure, round } from './lib/common';

export async function runP4(ctx: BenchContext): Promise<Figure> {
  const result = await measureThroughput({
    events: ctx.quick ? 10_000 : 50_000,
    batchSize: 1000,
    rounds: ctx.quick ? 1 : 3,
    log: (line) => ctx.log(`P4 ${line}`),
  });
  const metRatio = result.ratio >= 0.7;
  const metAbsolute = result.relay >= 20_000;
  return {
    value: result.relay,
    unit: 'events/s',
    baseline: result.bare,
    ratio: round(result.ratio, 3),
    target: '≥ 70 % of a bare kafkajs producer (same records, same batching); ≥ 20,000 events/s',
    met: metRatio && metAbsolute,
    ratioMet: metRatio,
    absoluteMet: metAbsolute,
    events: result.events,
    batchSize: result.batchSize,
    rounds: result.rounds,
    valueBytesPerEvent: result.eventBytes,
    relayRounds: result.relayEventsPerSecond,
    bareRounds: result.bareEventsPerSecond,
    broker: result.broker,
    producer:
      'idempotent, maxInFlightRequests 1, acks -1, no compression (createAccordProducer) on both sides',
  };
}
