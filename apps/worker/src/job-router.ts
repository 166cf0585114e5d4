import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job } from 'bullmq';
import { FleetgateConfig } from '@fleetgate/config';
import {
  EXECUTOR_JOB_NAMES,
  type HandledJobName,
  JOB_HANDLER_METADATA,
  JOB_QUEUE,
  jobNamesOf,
  JobProducer,
  jobRepeatsOf,
  PermanentJobError,
  QueueMetrics,
  type QueueName,
} from '@fleetgate/queues';

type Handler = (payload: unknown, job: Job) => Promise<unknown>;

/**
 * Every job this worker takes, from the shared queues and from its own executor queue, goes through
 * here: the router finds every @HandlesJob method at start, routes each job to its handler and times
 * it in the job metrics. It refuses to start when a job name of a consumed queue has no handler, or
 * has two: a job that nobody handles would sit in Redis forever. Once started, it registers the job
 * catalogue's repeats (JOB_REPEATS) of the queues it consumes.
 */
@Injectable()
export class JobRouter implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(JobRouter.name);
  private readonly handlers = new Map<HandledJobName, Handler>();
  private readonly consumed = new Set<QueueName>();
  private consumesExecutorQueue = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly metrics: QueueMetrics,
    private readonly producer: JobProducer,
    private readonly config: FleetgateConfig,
  ) {}

  consume(queue: QueueName): void {
    this.consumed.add(queue);
  }

  /** This process also takes the jobs of its own executor queue (see ExecutorQueueProcessor). */
  consumeExecutorQueue(): void {
    this.consumesExecutorQueue = true;
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const methodName of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const method = instance[methodName] as (...args: unknown[]) => Promise<unknown>;
        const name = this.reflector.get<HandledJobName | undefined>(JOB_HANDLER_METADATA, method);
        if (!name) continue;
        if (this.handlers.has(name)) throw new Error(`job "${name}" has two handlers`);
        this.handlers.set(name, (payload, job) => method.call(instance, payload, job));
      }
    }
    const consumedNames: HandledJobName[] = [
      ...[...this.consumed].flatMap(jobNamesOf),
      ...(this.consumesExecutorQueue ? EXECUTOR_JOB_NAMES : []),
    ];
    const missing = consumedNames.filter((name) => !this.handlers.has(name));
    if (missing.length) throw new Error(`refusing to start: no handler for job(s) ${missing.join(', ')}`);
    this.logger.log({ handlers: [...this.handlers.keys()] }, 'job handlers registered');
  }

  /**
   * Job schedulers, not timers: every worker upserts the same scheduler (its id is the job's name),
   * so a tick fires once however many workers run, and a worker started with another interval moves it.
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const { name, every } of jobRepeatsOf(this.config)) {
      const queue = JOB_QUEUE[name];
      if (!this.consumed.has(queue)) continue;
      await this.producer.queue(queue).upsertJobScheduler(name, { every }, { name, data: {} });
    }
  }

  async route(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as HandledJobName);
    // Unknown names cannot succeed on a retry either.
    if (!handler) throw new PermanentJobError(`no handler for job "${job.name}"`);
    const timer = this.metrics.jobDuration.startTimer({ queue: job.queueName, name: job.name });
    try {
      const result = await handler(job.data, job);
      timer({ outcome: 'completed' });
      return result;
    } catch (error) {
      timer({ outcome: 'failed' });
      throw error;
    }
  }
}
