import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Everything a process reports at GET /metrics (Prometheus text format). */
export class AccordMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'accord_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'accord_commands_total',
    help: 'Commands handled, by type and outcome (appended, unchanged, or the problem code answered)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'accord_events_appended_total',
    help: 'Events appended to the event store by this process',
    registers: [this.registry],
  });

  /** Read when scraped: set by the parts that can tell their lag. */
  readonly lagReaders: { projection?: () => Promise<number>; relay?: () => Promise<number> } = {};

  readonly projectionLag: Gauge = new Gauge({
    name: 'accord_projection_lag_events',
    help: 'Events in the log the read model has not applied yet',
    registers: [this.registry],
    collect: (): Promise<void> => this.collectLag(this.projectionLag, this.lagReaders.projection),
  });

  readonly eventsPublished = new Counter({
    name: 'accord_relay_events_published_total',
    help: 'Events the relay published to Kafka and the broker acknowledged',
    registers: [this.registry],
  });

  readonly publishErrors = new Counter({
    name: 'accord_relay_publish_errors_total',
    help: 'Failed attempts of the relay to publish a batch to Kafka',
    registers: [this.registry],
  });

  readonly relayKafkaUp = new Gauge({
    name: 'accord_relay_kafka_up',
    help: '1 while the relay reaches Kafka, 0 while it does not',
    registers: [this.registry],
  });

  readonly relayLag: Gauge = new Gauge({
    name: 'accord_relay_lag_events',
    help: 'Events in the log the relay has not published yet',
    registers: [this.registry],
    collect: (): Promise<void> => this.collectLag(this.relayLag, this.lagReaders.relay),
  });

  readonly leaseActive = new Gauge({
    name: 'accord_lease_active',
    help: '1 while this process holds the lease (the active projector or relay), 0 while it stands by',
    labelNames: ['name'],
    registers: [this.registry],
  });

  readonly leaseAcquisitions = new Counter({
    name: 'accord_lease_acquisitions_total',
    help: 'Times this process acquired the lease and became the active one',
    labelNames: ['name'],
    registers: [this.registry],
  });

  readonly fencedWritesRefused = new Counter({
    name: 'accord_lease_fenced_writes_refused_total',
    help: 'Writes of this process refused because another process had acquired the lease since (a stale fencing token)',
    labelNames: ['name'],
    registers: [this.registry],
  });

  constructor() {
    // The standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …) that dashboards and alerts
    // written for any Node.js process expect; the process is told apart by the scrape target's labels.
    collectDefaultMetrics({ register: this.registry });
  }

  private async collectLag(gauge: Gauge, read: (() => Promise<number>) | undefined): Promise<void> {
    if (!read) return;
    try {
      gauge.set(await read());
    } catch {
      // Keep the last value: a store briefly unreachable is what readiness reports.
    }
  }
}
