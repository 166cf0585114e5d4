import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimulatorContext } from '../kit';
import type { GizwitsApplication } from './gizwits-application';
import { checkAttrs } from './gizwits-datapoints';
import { GizwitsError, gizwitsError } from './gizwits-errors';
import type { Body, GizwitsState } from './gizwits-state';

/** Latest data, the user's bindings, and control (data points or raw bytes). */
export function registerDeviceRoutes(
  app: FastifyInstance,
  state: GizwitsState,
  application: GizwitsApplication,
  context: SimulatorContext,
): void {
  app.get('/app/devdata/:did/latest', async (request, reply) => {
    const device = state.device((request.params as { did: string }).did);
    if (!device) return gizwitsError(reply, GizwitsError.DeviceNotFound, 'no device has this did', 404);
    drift(context, device);
    return { did: device.did, updated_at: Math.floor(device.updatedAt / 1000), attr: device.attrs };
  });

  app.get('/app/bindings', async (request, reply) => {
    const user = application.user(request, reply);
    if (!user) return;
    const query = request.query as { limit?: string; skip?: string };
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    const skip = query.skip === undefined ? 0 : Number(query.skip);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(skip) || skip < 0) {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'limit must be 1..1000 and skip >= 0');
    }
    const page = [...user.bindings.entries()].slice(skip, skip + limit);
    return { devices: page.map(([did, binding]) => state.binding(did, binding.remark)) };
  });
  app.post('/app/bindings', async (request, reply) => {
    const user = application.user(request, reply);
    if (!user) return;
    const devices = deviceEntries(request.body, reply);
    if (!devices) return;
    const success: string[] = [];
    const failed: string[] = [];
    for (const entry of devices) {
      const device = state.device(String(entry.did));
      if (device && entry.passcode === device.passcode) {
        user.bindings.set(device.did, {
          remark: typeof entry.remark === 'string' ? entry.remark : '',
          passcode: device.passcode,
        });
        success.push(device.did);
      } else failed.push(String(entry.did));
    }
    return { success, failed };
  });
  app.delete('/app/bindings', async (request, reply) => {
    const user = application.user(request, reply);
    if (!user) return;
    const devices = deviceEntries(request.body, reply);
    if (!devices) return;
    const success: string[] = [];
    const failed: string[] = [];
    for (const entry of devices) (user.bindings.delete(String(entry.did)) ? success : failed).push(String(entry.did));
    return { success, failed };
  });

  app.post('/app/control/:did', async (request, reply) => {
    const user = application.user(request, reply);
    if (!user) return;
    const device = state.device((request.params as { did: string }).did);
    if (!device) return gizwitsError(reply, GizwitsError.DeviceNotFound, 'no device has this did', 404);
    const binding = user.bindings.get(device.did);
    if (!binding) return gizwitsError(reply, GizwitsError.DeviceNotBound, 'device is not bound to this user');
    // Gizwits reaches the device with the passcode of the binding; a device reset since has another.
    if (binding.passcode !== device.passcode) {
      return gizwitsError(reply, GizwitsError.DidPasscodeInvalid, 'the binding’s passcode is not the device’s');
    }
    if (!device.online) return gizwitsError(reply, GizwitsError.DeviceOffline, 'the device is not connected');
    const body = (request.body ?? {}) as Body;
    if (body.raw !== undefined) {
      const raw = body.raw;
      if (
        !Array.isArray(raw) ||
        raw.length === 0 ||
        !raw.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
      ) {
        return gizwitsError(reply, GizwitsError.FormInvalid, 'raw must be a non-empty array of bytes (0-255)');
      }
      device.lastRaw = raw as number[];
      return {};
    }
    const problem = checkAttrs(body.attrs);
    if (problem) return gizwitsError(reply, GizwitsError.AttrInvalid, problem);
    Object.assign(device.attrs, body.attrs);
    device.updatedAt = Date.now();
    return {};
  });
}

function deviceEntries(body: unknown, reply: FastifyReply): Body[] | undefined {
  const devices = (body as Body | undefined)?.devices;
  if (
    !Array.isArray(devices) ||
    devices.length === 0 ||
    !devices.every((entry) => typeof entry === 'object' && entry !== null && 'did' in entry)
  ) {
    void gizwitsError(reply, GizwitsError.FormInvalid, 'devices must be a non-empty list of {did}');
    return undefined;
  }
  return devices as Body[];
}

/** Sensors move a little between reads, so "latest" really changes over time. */
function drift(
  context: SimulatorContext,
  device: { attrs: Record<string, boolean | number | string>; updatedAt: number },
): void {
  const now = Date.now();
  if (now - device.updatedAt < 1000 * context.timeScale) return;
  const step = () => context.random.int(-1, 1);
  device.attrs.temp = Math.min(100, Math.max(0, (device.attrs.temp as number) + step()));
  device.attrs.humi = Math.min(100, Math.max(0, (device.attrs.humi as number) + step()));
  device.updatedAt = now;
}
