import { Injectable } from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '@fleetgate/observability';
import { JobProducer } from './job-producer';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * Queue metrics: depth per queue and state, read from Redis when /metrics is scraped (so every process
 * reports the shared truth), and the duration of the jobs this process ran.
 */
@Injectable()
export class QueueMetrics {
  readonly jobDuration: Histogram<'queue' | 'name' | 'outcome'>;

  constructor(metrics: MetricsRegistry, producer: JobProducer) {
    new Gauge({
      name: 'fleetgate_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const queue of producer.allQueues()) {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    this.jobDuration = new Histogram({
      name: 'fleetgate_job_duration_seconds',
      help: 'Jobs run by this process, by queue, job name and outcome (completed or failed)',
      labelNames: ['queue', 'name', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
  }
}
