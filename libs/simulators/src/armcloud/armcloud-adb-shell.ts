import type { ArmcloudFleet } from './armcloud-fleet';

/**
 * A tiny stand-in for the pad's shell, so that ADB command results carry plausible, deterministic
 * output: `echo`, `getprop [name]`, `pm list packages`, `ls`, `pwd`, `cd`, `whoami`, `id`, `date`,
 * `settings get`, `true`/`false`. Commands are separated by `;` as the document says; anything
 * else answers the shell's "not found" line. `false` (or an exit status) marks the run failed.
 */
export interface AdbShellRun {
  ok: boolean;
  output: string;
}

const ROOT_LISTING = ['acct', 'cache', 'config', 'data', 'dev', 'etc', 'mnt', 'proc', 'sdcard', 'storage', 'system', 'vendor'];

export function runAdbScript(fleet: ArmcloudFleet, index: number, script: string): AdbShellRun {
  const identity = fleet.identityOf(index);
  const settings = fleet.settingsOf(index);
  const props: Record<string, string> = {
    'ro.product.model': identity.model,
    'ro.product.brand': identity.brand,
    'ro.product.manufacturer': identity.manufacturer,
    'ro.serialno': identity.serialno,
    'ro.build.id': identity.buildId,
    'ro.build.tags': 'release-keys',
    'persist.sys.timezone': settings.timeZone,
    'persist.sys.language': settings.language,
    'persist.sys.country': settings.country,
    ...Object.fromEntries(settings.systemProperties),
    ...settings.androidProps,
  };
  let cwd = '/';
  let ok = true;
  const lines: string[] = [];
  for (const command of script.split(';').map((part) => part.trim()).filter(Boolean)) {
    const [name, ...args] = command.split(/\s+/);
    switch (name) {
      case 'echo':
        lines.push(args.join(' ').replace(/^["']|["']$/g, ''));
        break;
      case 'getprop':
        if (args[0]) lines.push(props[args[0]] ?? '');
        else lines.push(...Object.entries(props).map(([key, value]) => `[${key}]: [${value}]`));
        break;
      case 'pm':
        if (args[0] === 'list' && args[1] === 'packages') {
          lines.push(...[...settings.apps.keys()].map((pkg) => `package:${pkg}`));
        } else {
          lines.push(`Unknown command: ${args.join(' ')}`);
          ok = false;
        }
        break;
      case 'ls':
        lines.push(...(cwd === '/' ? ROOT_LISTING : cwd.startsWith('/sdcard') ? settings.files.map((file) => file.split('/').pop() ?? file) : []));
        break;
      case 'cd':
        cwd = args[0]?.startsWith('/') ? args[0] : `${cwd.replace(/\/$/, '')}/${args[0] ?? ''}`;
        break;
      case 'pwd':
        lines.push(cwd);
        break;
      case 'whoami':
        lines.push('root');
        break;
      case 'id':
        lines.push('uid=0(root) gid=0(root) groups=0(root)');
        break;
      case 'date':
        lines.push(new Date().toUTCString());
        break;
      case 'settings':
        lines.push(args[0] === 'get' ? 'null' : '');
        break;
      case 'true':
        break;
      case 'false':
        ok = false;
        break;
      default:
        lines.push(`/system/bin/sh: ${name}: not found`);
    }
  }
  return { ok, output: lines.join('\n') };
}
