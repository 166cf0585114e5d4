import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { FleetgateConfig } from '@fleetgate/config';
import { QUEUE_DEFAULT_JOB_OPTIONS, QueueName } from './job-catalog';
import { JobProducer } from './job-producer';
import { Outbox } from './outbox';
import { QueueMetrics } from './queue-metrics';

const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueue({ name, defaultJobOptions: QUEUE_DEFAULT_JOB_OPTIONS[name] }),
);

/** Queues for producers (gateway and worker alike); the worker adds the consumers. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [FleetgateConfig],
      useFactory: (config: FleetgateConfig) => ({
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
        prefix: config.REDIS_PREFIX,
      }),
    }),
    ...queues,
  ],
  providers: [JobProducer, Outbox, QueueMetrics],
  exports: [JobProducer, Outbox, QueueMetrics, ...queues],
})
export class QueuesModule {}
