import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
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
