import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@fleetgate/auth';
import { type CallerScope, callerScope } from './access-scope';

/** The caller's AccessScope, from the principal the authentication guard established. */
export const CurrentAccessScope = createParamDecorator((_data: unknown, context: ExecutionContext): CallerScope => {
  return callerScope(context.switchToHttp().getRequest<{ principal: Principal }>().principal);
});
