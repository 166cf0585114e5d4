import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Random } from '../kit';
import type { GizwitsApplication } from './gizwits-application';
import { GizwitsError, gizwitsError } from './gizwits-errors';
import { type Body, type GizwitsState, type GizwitsUser, md5, newToken } from './gizwits-state';

const AUTH_SOURCES = ['baidu', 'sina', 'qq'];

/** Users, sign-in, application tokens, captcha and SMS codes, passwords. */
export function registerUserRoutes(
  app: FastifyInstance,
  state: GizwitsState,
  application: GizwitsApplication,
  random: Random,
): void {
  app.post('/app/users', async (request, reply) => createUser(state, application, request.body as Body, reply));
  app.put('/app/users', async (request, reply) => {
    const user = application.user(request, reply);
    return user && updateUser(state, application, user, request.body as Body, reply);
  });
  app.post('/app/login', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    if (typeof body.username !== 'string' || typeof body.password !== 'string') {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'username and password are required');
    }
    const user = state.findUserByLogin(body.username);
    if (!user) return gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
    if (user.password !== body.password)
      return gizwitsError(reply, GizwitsError.UsernamePasswordError, 'username or password error');
    return application.session(user);
  });
  app.post('/app/request_token', async (request, reply) => {
    if (request.headers['x-gizwits-application-auth'] !== md5(application.appId + application.appSecret)) {
      return gizwitsError(
        reply,
        GizwitsError.ApplicationAuthInvalid,
        'X-Gizwits-Application-Auth must be MD5(appid+appsecret)',
      );
    }
    const token = newToken();
    const expiredAt = application.expiry();
    state.appTokens.set(token, expiredAt);
    return { token, expired_at: expiredAt };
  });
  app.get('/app/verify/codes', async (request, reply) => {
    if (!application.appToken(request, reply)) return;
    const id = randomBytes(8).toString('hex');
    state.captchas.set(id, String(random.int(100000, 999999)));
    return { captcha_url: `http://127.0.0.1/captcha/${id}.png`, captcha_id: id };
  });
  app.post('/app/verify/codes', async (request, reply) => {
    if (!application.appToken(request, reply)) return;
    const body = (request.body ?? {}) as Body;
    if (typeof body.phone !== 'string' || !body.phone)
      return gizwitsError(reply, GizwitsError.FormInvalid, 'phone is required');
    if (state.captchas.get(String(body.captcha_id)) !== String(body.captcha_code)) {
      return gizwitsError(reply, GizwitsError.CodeInvalid, 'captcha_code is wrong');
    }
    state.captchas.delete(String(body.captcha_id));
    state.smsCodes.set(body.phone, String(random.int(100000, 999999)));
    return reply.code(201).send({});
  });
  app.put('/app/verify/codes', async (request, reply) => {
    if (!application.appToken(request, reply)) return;
    const body = (request.body ?? {}) as Body;
    if (!application.smsMatches(body.phone, body.sms_code))
      return gizwitsError(reply, GizwitsError.CodeInvalid, 'sms_code is wrong');
    return {};
  });
  app.post('/app/reset_password', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    if (typeof body.email === 'string') {
      return state.findUserByLogin(body.email)
        ? {}
        : gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
    }
    if (typeof body.phone !== 'string' || typeof body.new_pwd !== 'string') {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'email, or phone with code and new_pwd, is required');
    }
    const user = state.findUserByLogin(body.phone);
    if (!user) return gizwitsError(reply, GizwitsError.UserNotExist, 'user does not exist');
    if (!application.smsMatches(body.phone, body.code))
      return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
    user.password = body.new_pwd;
    return {};
  });
}

function createUser(state: GizwitsState, application: GizwitsApplication, body: Body | undefined, reply: FastifyReply) {
  const input = body ?? {};
  const taken = (login: unknown) => typeof login === 'string' && state.findUserByLogin(login);
  const base = { uid: randomBytes(8).toString('hex'), anonymous: false, bindings: new Map() };
  let user: GizwitsUser;
  if (typeof input.phone_id === 'string' && input.phone_id) {
    const existing = [...state.users.values()].find((candidate) => candidate.phoneId === input.phone_id);
    // Creating the same anonymous user again signs it in again.
    if (existing) return reply.code(201).send(application.session(existing));
    user = { ...base, phoneId: input.phone_id, anonymous: true };
  } else if (typeof input.authData === 'object' && input.authData !== null) {
    const auth = input.authData as Body;
    if (!AUTH_SOURCES.includes(String(auth.src)) || typeof auth.uid !== 'string' || typeof auth.token !== 'string') {
      return gizwitsError(reply, GizwitsError.FormInvalid, 'authData needs src (baidu, sina or qq), uid and token');
    }
    user = { ...base, authData: { src: String(auth.src), uid: auth.uid } };
  } else if (typeof input.password !== 'string' || !input.password) {
    return gizwitsError(reply, GizwitsError.FormInvalid, 'password is required');
  } else if (typeof input.username === 'string' && input.username) {
    if (taken(input.username))
      return gizwitsError(reply, GizwitsError.UsernameUnavailable, 'username already exists');
    user = { ...base, username: input.username, password: input.password };
  } else if (typeof input.email === 'string' && /^[^@\s]+@[^@\s]+$/.test(input.email)) {
    if (taken(input.email)) return gizwitsError(reply, GizwitsError.EmailUnavailable, 'email already registered');
    user = { ...base, email: input.email, password: input.password };
  } else if (typeof input.phone === 'string' && input.phone) {
    if (taken(input.phone)) return gizwitsError(reply, GizwitsError.PhoneUnavailable, 'phone already registered');
    if (!application.smsMatches(input.phone, input.code))
      return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
    user = { ...base, phone: input.phone, password: input.password };
  } else {
    return gizwitsError(
      reply,
      GizwitsError.FormInvalid,
      'one of phone_id, username, email, phone or authData is required',
    );
  }
  state.users.set(user.uid, user);
  return reply.code(201).send(application.session(user));
}

function updateUser(
  state: GizwitsState,
  application: GizwitsApplication,
  user: GizwitsUser,
  body: Body | undefined,
  reply: FastifyReply,
) {
  const input = body ?? {};
  if (typeof input.old_pwd === 'string' || typeof input.new_pwd === 'string') {
    if (input.old_pwd !== user.password)
      return gizwitsError(reply, GizwitsError.UsernamePasswordError, 'old_pwd is wrong');
    if (typeof input.new_pwd !== 'string' || !input.new_pwd)
      return gizwitsError(reply, GizwitsError.FormInvalid, 'new_pwd is required');
    user.password = input.new_pwd;
  } else if (typeof input.username === 'string') {
    if (!user.anonymous)
      return gizwitsError(reply, GizwitsError.FormInvalid, 'only an anonymous user can set a username');
    if (typeof input.password !== 'string' || !input.password)
      return gizwitsError(reply, GizwitsError.FormInvalid, 'password is required');
    if (state.findUserByLogin(input.username))
      return gizwitsError(reply, GizwitsError.UsernameUnavailable, 'username already exists');
    Object.assign(user, { username: input.username, password: input.password, anonymous: false });
  } else if (typeof input.email === 'string') {
    if (state.findUserByLogin(input.email))
      return gizwitsError(reply, GizwitsError.EmailUnavailable, 'email already registered');
    user.email = input.email;
  } else if (typeof input.phone === 'string') {
    if (!application.smsMatches(input.phone, input.code))
      return gizwitsError(reply, GizwitsError.CodeInvalid, 'code is wrong');
    if (typeof input.password === 'string') {
      if (!user.anonymous)
        return gizwitsError(
          reply,
          GizwitsError.FormInvalid,
          'only an anonymous user can set a phone with a password',
        );
      Object.assign(user, { phone: input.phone, password: input.password, anonymous: false });
    } else user.phone = input.phone;
  } else {
    return gizwitsError(reply, GizwitsError.FormInvalid, 'nothing to update');
  }
  return { updatedAt: new Date().toISOString() };
}
