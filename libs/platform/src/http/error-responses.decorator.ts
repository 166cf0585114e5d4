import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../errors/error-envelope.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request; `details` names each field and its problem',
  401: 'No valid access token or API key',
  403: 'Authenticated, but without the permission this route needs',
  404: 'Not found',
  409: 'Conflicts with the current state',
  422: 'Understood but cannot be carried out',
  429: 'Too many requests',
  502: 'A vendor failed; `vendor` keeps its code and message',
  503: 'A dependency is unavailable',
};

/** Documents error answers of a route, all in the error envelope. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorEnvelopeDto }),
    ),
  );
}
