import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  RuleViolationError,
  UnauthenticatedError,
  VendorRefusedError,
} from '@fleetgate/domain';
import { ApiError } from './api-error';
import { ErrorEnvelopeFilter } from './error-envelope.filter';

function run(exception: unknown) {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    send(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ErrorEnvelopeFilter().catch(exception, host);
  return sent;
}

function prismaError(code: string, meta: Record<string, unknown>) {
  return Object.assign(new Error('prisma'), { name: 'PrismaClientKnownRequestError', code, meta });
}

describe('ErrorEnvelopeFilter', () => {
  it.each([
    [new NotFoundError('Device', 'd-1'), 404, 'not_found'],
    [new ConflictError('taken', [{ field: 'name', problem: 'is already taken' }]), 409, 'conflict'],
    [new InvalidInputError('bad', [{ field: 'cron', problem: 'is not a cron expression' }]), 400, 'validation_failed'],
    [new RuleViolationError('too many', [{ field: 'deviceIds', problem: 'exceeds 10' }]), 422, 'unprocessable'],
    [new UnauthenticatedError(), 401, 'unauthorized'],
    [new ForbiddenError('no', [{ field: 'departmentId', problem: 'is outside your scope' }]), 403, 'forbidden'],
  ])('maps the domain error %p to its status, code and details', (error, status, code) => {
    const sent = run(error);
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual({
      error: {
        code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
        requestId: 'req-1',
      },
    });
  });

  it('tells a rate-limited caller when to come back', () => {
    const sent = run(new RateLimitedError('slow down', 7));
    expect(sent.status).toBe(429);
    expect(sent.headers['retry-after']).toBe('7');
    expect(sent.body).toMatchObject({ error: { code: 'rate_limited', message: 'slow down' } });
  });

  it("keeps a vendor's refusal as the vendor said it", () => {
    const sent = run(new VendorRefusedError('refused', { vendor: 'gizwits', code: '9004', message: 'token invalid' }));
    expect(sent.status).toBe(502);
    expect(sent.body).toMatchObject({
      error: { code: 'vendor_error', vendor: { vendor: 'gizwits', code: '9004', message: 'token invalid' } },
    });
  });

  it('maps a unique violation to 409 naming the fields', () => {
    const sent = run(prismaError('P2002', { target: ['vendor', 'name'] }));
    expect(sent.status).toBe(409);
    expect(sent.body).toEqual({
      error: {
        code: 'conflict',
        message: 'A record with this vendor, name already exists',
        details: [
          { field: 'vendor', problem: 'is already taken' },
          { field: 'name', problem: 'is already taken' },
        ],
        requestId: 'req-1',
      },
    });
  });

  it('maps a missing record to 404', () => {
    const sent = run(prismaError('P2025', { modelName: 'VendorAccount' }));
    expect(sent.status).toBe(404);
    expect(sent.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('keeps a vendor error and its headers', () => {
    const error = new ApiError(
      429,
      'rate_limited',
      'slow down',
      undefined,
      { vendor: 'tikmatrix', code: '429', message: 'busy' },
      { 'retry-after': '2' },
    );
    const sent = run(error);
    expect(sent.status).toBe(429);
    expect(sent.headers['retry-after']).toBe('2');
    expect(sent.body).toMatchObject({ error: { vendor: { vendor: 'tikmatrix', code: '429', message: 'busy' } } });
  });

  it('passes validation details through and hides internals of unknown errors', () => {
    const validation = run(
      new BadRequestException({
        message: 'Invalid request',
        details: [{ field: 'email', problem: 'must be an email' }],
      }),
    );
    expect(validation.body).toMatchObject({ error: { code: 'validation_failed', details: [{ field: 'email' }] } });
    const internal = run(new TypeError('secret stack detail'));
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('secret stack detail');
  });
});
