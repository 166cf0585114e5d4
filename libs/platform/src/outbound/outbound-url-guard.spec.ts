import { RuleViolationError } from '@fleetgate/domain';
import { OutboundUrlGuard } from './outbound-url-guard';

describe('OutboundUrlGuard', () => {
  const resolve = async (hostname: string) =>
    ({ 'vendor.example.com': ['93.184.215.14'], 'sneaky.example.com': ['10.0.0.1', '127.0.0.1'] })[hostname] ??
    Promise.reject(new Error('ENOTFOUND'));
  const guard = new OutboundUrlGuard(false, resolve);

  it.each([
    'http://127.0.0.1:4101',
    'http://localhost/x',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/',
    'http://0.0.0.0/',
    'http://metadata.google.internal/',
    'http://[::ffff:127.0.0.1]/',
    'http://sneaky.example.com/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.100.100.200/latest/meta-data',
    'http://[fd00:ec2::254]/latest/meta-data',
    'http://[::ffff:10.0.0.1]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:0a00:0001::]/',
  ])('refuses %s', async (url) => {
    expect(await guard.problemWith(url)).toMatch(/must not point at/);
  });

  it('accepts a public host and names an unresolvable one', async () => {
    expect(await guard.problemWith('https://vendor.example.com/api')).toBeUndefined();
    expect(await guard.problemWith('https://nowhere.example.com/')).toBe('host nowhere.example.com does not resolve');
  });

  it('lets everything through when configuration allows internal URLs', async () => {
    expect(await new OutboundUrlGuard(true, resolve).problemWith('http://127.0.0.1:4101')).toBeUndefined();
  });

  it('refuses as a broken rule (422) naming the field', async () => {
    await expect(guard.check('http://127.0.0.1/', 'baseUrl')).rejects.toBeInstanceOf(RuleViolationError);
    await expect(guard.check('http://127.0.0.1/', 'baseUrl')).rejects.toMatchObject({
      details: [{ field: 'baseUrl', problem: 'must not point at a loopback address (127.0.0.1)' }],
    });
  });
});
