import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

import { ApiKeyService } from './api-keys/api-key.service';
import { AUTH_METADATA, type AuthRequirement } from './authenticated.decorator';
import { holds, type Principal } from './principal';
import { SessionService } from './sessions/session.service';
import { ForbiddenError, UnauthenticatedError } from '@fleetgate/domain';

/**
 * The global guard. A route is open only when marked @Public(); every other route needs a valid
 * access token (Authorization: Bearer) or API key (X-API-Key), and the permission it names.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (requirement?.public) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.principalOf(request);
    if (!principal) throw new UnauthenticatedError();
    request.principal = principal;
    if (requirement?.permission && !holds(principal, requirement.permission)) {
      throw new ForbiddenError(`This route needs the permission ${requirement.permission}`);
    }
    return true;
  }

  /** Who sent the request (bearer access token or API key), if anyone valid; also used outside Nest routes. */
  async principalOf(request: FastifyRequest): Promise<Principal | undefined> {
    const authorization = request.headers.authorization;
    if (authorization) {
      const [scheme, token] = authorization.split(' ');
      return scheme?.toLowerCase() === 'bearer' && token ? this.sessions.authenticate(token) : undefined;
    }
    const apiKey = request.headers['x-api-key'];
    return typeof apiKey === 'string' ? this.apiKeys.authenticate(apiKey) : undefined;
  }
}
