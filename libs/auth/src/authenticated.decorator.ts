import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { API_KEY_SCHEME, ApiErrorResponses, BEARER_SCHEME } from '@fleetgate/platform';
import type { Permission } from './permissions';
import type { Principal } from './principal';

export const AUTH_METADATA = 'fleetgate:auth';

export type AuthRequirement = { public: true } | { public: false; permission?: Permission };

/**
 * Marks a route (or a whole controller) as needing a signed-in user or an API key, and the
 * permission it needs. Also writes the route's security entry and its 401/403 answers into OpenAPI.
 */
export function Authenticated(options: { permission?: Permission } = {}) {
  const requirement: AuthRequirement = { public: false, permission: options.permission };
  return applyDecorators(
    SetMetadata(AUTH_METADATA, requirement),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    options.permission ? ApiErrorResponses(401, 403) : ApiErrorResponses(401),
    // The permission in the document too, for the frontend and the authorization matrix test.
    ...(options.permission ? [ApiExtension('x-permission', options.permission)] : []),
  );
}

/** Open to anyone: health, login, docs and vendor webhooks (which verify callers their own way). */
export function Public() {
  return SetMetadata(AUTH_METADATA, { public: true } satisfies AuthRequirement);
}

/** The caller, as the global guard established it. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
