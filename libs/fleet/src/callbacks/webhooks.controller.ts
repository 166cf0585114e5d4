import { Controller, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '@fleetgate/auth';
import { ApiErrorResponses, refuseUnstorableInput, UuidParamPipe } from '@fleetgate/platform';
import { CallbackInbox } from './callback-inbox.service';
import { CallbackReceiptDto } from './callback.dto';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly inbox: CallbackInbox) {}

  /**
   * Where a vendor posts its callbacks for one account. None of the four vendors signs its callbacks,
   * so the caller proves itself with the account's webhook secret, in the `X-Fleetgate-Webhook-Secret`
   * header or, for vendors that only take a URL, the `token` query parameter. A relay that can sign
   * sends `X-Fleetgate-Timestamp` and `X-Fleetgate-Signature` (HMAC-SHA256 of "<timestamp>.<body>" under
   * the secret) instead: forged or more than 5 minutes off is refused. A redelivered callback is
   * acknowledged and ignored (`duplicate: true`); a state report without a time of its own (ArmCloud
   * instance state) is a new report each time, since a device can return to an earlier state.
   */
  @Post(':vendor/:accountId')
  @HttpCode(200)
  @Public()
  @ApiParam({ name: 'vendor', type: String })
  @ApiParam({ name: 'accountId', type: String })
  @ApiHeader({ name: 'X-Fleetgate-Webhook-Secret', required: false })
  @ApiHeader({ name: 'X-Fleetgate-Timestamp', required: false, description: 'Unix seconds, for signed callbacks' })
  @ApiHeader({ name: 'X-Fleetgate-Signature', required: false, description: 'sha256=<hex HMAC>, for signed callbacks' })
  @ApiQuery({ name: 'token', required: false })
  @ApiBody({
    description: 'The vendor’s callback, as the vendor sends it',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({ type: CallbackReceiptDto })
  @ApiErrorResponses(400, 401, 422)
  receive(@Req() request: RawBodyRequest<FastifyRequest>): Promise<CallbackReceiptDto> {
    // The route checks its own input, as the global pipes would: configureWebhookRoutes has Fastify
    // call this method directly, without Nest's pipeline.
    const params = request.params as { vendor: string; accountId: string };
    const query = request.query as { token?: unknown };
    refuseUnstorableInput(params.vendor, { type: 'param', data: 'vendor' });
    const accountId = UuidParamPipe.parse(params.accountId, 'accountId');
    refuseUnstorableInput(query.token, { type: 'query', data: 'token' });
    refuseUnstorableInput(request.body, { type: 'body' });
    const headers = request.headers;
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return this.inbox.receive(
      params.vendor,
      accountId,
      {
        secret: header('x-fleetgate-webhook-secret') ?? (typeof query.token === 'string' ? query.token : undefined),
        timestamp: header('x-fleetgate-timestamp'),
        signature: header('x-fleetgate-signature'),
        rawBody: request.rawBody,
      },
      headers,
      request.body,
    );
  }
}
