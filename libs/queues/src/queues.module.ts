import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { RedisConnections } from '@fleetgate/redis';
import { QUEUE_DEFAULT_JOB_OPTIONS, QueueName } from './job-catalog';
import { JobProducer } from './job-producer';
import { Outbox } from './outbox';
import { OutboxJobRepository } from './outbox-job.repository';
import { QueueMetrics } from './queue-metrics';

// Each queue's prefix comes from RedisConnections (hash-tagged on a cluster); workers take their queue's.
const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueueAsync({
    name,
    inject: [RedisConnections],
    useFactory: (redis: RedisConnections) => ({
      defaultJobOptions: QUEUE_DEFAULT_JOB_OPTIONS[name],
      prefix: redis.queuePrefix(name),
    }),
  }),
);

/** Queues for producers (gateway and worker alike); the worker adds the consumers. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => ({ connection: redis.queueConnection() }),
    }),
    ...queues,
  ],
  providers: [JobProducer, Outbox, OutboxJobRepository, QueueMetrics],
  exports: [JobProducer, Outbox, QueueMetrics, ...queues],
})
export class QueuesModule {}
