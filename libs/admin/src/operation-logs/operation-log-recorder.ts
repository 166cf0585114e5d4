import {
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@fleetgate/auth';
import { OperationLogRepository, type OperationLogRow } from './operation-log.repository';

const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Sign-ins and refreshes go to the login log instead; logout stays here. */
const LOGIN_LOG_ROUTES = new Set(['/auth/login', '/auth/refresh']);
const FLUSH_EVERY_MS = 250;
const FLUSH_AT_ROWS = 200;
/** Rows waiting or being written; beyond this (the database is down) new rows are dropped, not hoarded. */
const MAX_PENDING_ROWS = 20_000;
/** An error envelope or a created resource is small; a larger body is not parsed for its id. */
const MAX_PARSED_PAYLOAD = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What onSend learns from the answer's body, for onResponse to record. */
interface AnswerFacts {
  createdId?: string;
  errorCode?: string;
}

/**
 * Whether a request goes into the operation log: changing requests only, but not vendor webhooks
 * (the callback inbox keeps those) nor sign-in and refresh (the login log keeps those).
 */
export function isOperationLogged(method: string, path: string): boolean {
  if (!CHANGING_METHODS.has(method)) return false;
  if (path === '/webhooks' || path.startsWith('/webhooks/')) return false;
  return !LOGIN_LOG_ROUTES.has(path.replace(/\/+$/, ''));
}

/** The `:id` parameter of the route, else its last named parameter (`:bizTag`, `:vendor/:accountId`). */
export function targetIdOfParams(params: unknown): string | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const named = Object.entries(params as Record<string, unknown>).filter(
    (entry): entry is [string, string] => entry[0] !== '*' && typeof entry[1] === 'string' && entry[1] !== '',
  );
  return (named.find(([name]) => name === 'id') ?? named.at(-1))?.[1];
}

/** The created resource's `id` (on success) or the envelope's error code (on failure), from a JSON answer. */
export function factsOfPayload(statusCode: number, payload: unknown): AnswerFacts {
  if (typeof payload !== 'string' || payload.length > MAX_PARSED_PAYLOAD || !payload.startsWith('{')) return {};
  let body: { id?: unknown; error?: { code?: unknown } };
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    return {};
  }
  if (statusCode >= 400) return typeof body.error?.code === 'string' ? { errorCode: body.error.code } : {};
  return typeof body.id === 'string' ? { createdId: body.id } : {};
}

/**
 * The operation log: every changing request through the gateway (who, what route and target, how it
 * ended, how long it took, from where), refusals by the guard and the validation pipe included,
 * which is why it hooks Fastify rather than Nest's interceptors. Bodies are never kept.
 * Rows are buffered and written in batches, so that logging never delays an answer.
 */
@Injectable()
export class OperationLogRecorder implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(OperationLogRecorder.name);
  private readonly facts = new WeakMap<FastifyRequest, AnswerFacts>();
  private buffer: OperationLogRow[] = [];
  private writing = 0;
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly operationLogs: OperationLogRepository,
  ) {}

  onModuleInit(): void {
    // No HTTP adapter in the worker, which serves no requests.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) this.hook(fastify);
  }

  /** Registers the hooks; Fastify applies root hooks to every route until it is ready. */
  hook(fastify: FastifyInstance): void {
    // Callback hooks, not async ones: they run on every request, and most have nothing to record.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (isOperationLogged(request.method, pathOf(request))) {
        this.facts.set(request, factsOfPayload(reply.statusCode, payload));
      }
      done(null, payload);
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      const path = pathOf(request);
      if (isOperationLogged(request.method, path)) this.record(this.rowOf(request, reply, path));
      done();
    });
  }

  /** Writes what is buffered while PostgreSQL is still connected (PersistenceModule closes last). */
  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  /** Requests that finished while the server closed, after onModuleDestroy. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.buffer.length) return this.written;
    await this.flush();
    // The database connection closed and reopened for these rows; let it go again so the process can end.
    await this.operationLogs.release();
  }

  /** Writes every buffered row now; resolves when they (and earlier batches) are written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.buffer;
    if (!rows.length) return this.written;
    this.buffer = [];
    this.written = this.written.then(() => this.write(rows));
    return this.written;
  }

  private record(row: OperationLogRow): void {
    if (this.buffer.length + this.writing >= MAX_PENDING_ROWS) {
      if (this.dropped++ % 1_000 === 0) this.logger.warn({ dropped: this.dropped }, 'operation log is backed up');
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= FLUSH_AT_ROWS) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  private async write(rows: OperationLogRow[]): Promise<void> {
    this.writing += rows.length;
    try {
      await this.operationLogs.addMany(rows);
    } catch (error) {
      this.logger.error({ err: error, rows: rows.length }, 'could not write operation logs; they are lost');
    } finally {
      this.writing -= rows.length;
    }
  }

  private rowOf(request: FastifyRequest, reply: FastifyReply, path: string): OperationLogRow {
    const principal = (request as FastifyRequest & { principal?: Principal }).principal;
    const facts = this.facts.get(request) ?? {};
    const failed = reply.statusCode >= 400;
    const targetId = targetIdOfParams(request.params) ?? facts.createdId;
    return {
      // The column is a uuid: anything else would fail the whole batch.
      userId: principal?.userId && UUID.test(principal.userId) ? principal.userId : null,
      actor: principal?.email ?? null,
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      path: path.slice(0, 2_000),
      targetId: targetId?.slice(0, 200) ?? null,
      statusCode: reply.statusCode,
      outcome: failed ? 'failed' : 'succeeded',
      errorCode: failed ? (facts.errorCode ?? null) : null,
      durationMs: Math.round(reply.elapsedTime),
      ip: request.ip ?? null,
      requestId: String(request.id),
    };
  }
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}
