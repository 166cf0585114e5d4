import { Writable } from 'node:stream';
import pino from 'pino';
import { loggableUrl, REDACTED_PATHS } from './logging';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream), lines };
}

describe('log redaction', () => {
  it('hides credentials in request headers', () => {
    const { logger, lines } = capture();
    logger.info(
      { req: { headers: { authorization: 'Bearer eyJsecret', 'x-api-key': 'fgk_abc_def', host: 'x' } } },
      'request',
    );
    expect(lines.join('')).not.toMatch(/eyJsecret|fgk_abc_def/);
    expect(JSON.parse(lines[0]).req.headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      host: 'x',
    });
  });

  it('hides secret fields of logged objects, one and two levels deep', () => {
    const { logger, lines } = capture();
    logger.info({ body: { password: 'hunter2', email: 'a@b.c' }, account: { credentials: { secretAccessKey: 'sk' } } });
    const line = JSON.parse(lines[0]);
    expect(line.body).toEqual({ password: '[redacted]', email: 'a@b.c' });
    expect(line.account.credentials).toBe('[redacted]');
    expect(lines[0]).not.toMatch(/hunter2|"sk"/);
  });

  it('hides webhook secrets and signatures in headers and query strings', () => {
    const { logger, lines } = capture();
    logger.info(
      { req: { headers: { 'x-fleetgate-webhook-secret': 'wh-secret', 'x-fleetgate-signature': 'sha256=ab' } } },
      'r',
    );
    expect(lines.join('')).not.toMatch(/wh-secret|sha256=ab/);
    expect(loggableUrl('/webhooks/gizwits/1?token=abc&x=1')).toBe('/webhooks/gizwits/1?token=[redacted]&x=1');
    expect(loggableUrl('/artifacts/9/content?expires=5&signature=f00d')).toBe(
      '/artifacts/9/content?expires=5&signature=[redacted]',
    );
  });
});
