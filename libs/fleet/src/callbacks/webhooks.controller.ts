import { Body, Controller, Headers, HttpCode, Param, Post, Query, type RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '@fleetgate/auth';
import { ApiErrorResponses, UuidParamPipe } from '@fleetgate/platform';
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
  receive(
    @Param('vendor') vendor: string,
    @Param('accountId', new UuidParamPipe()) accountId: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Query('token') token: string | undefined,
    @Body() body: unknown,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ): Promise<CallbackReceiptDto> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return this.inbox.receive(
      vendor,
      accountId,
      {
        secret: header('x-fleetgate-webhook-secret') ?? token,
        timestamp: header('x-fleetgate-timestamp'),
        signature: header('x-fleetgate-signature'),
        rawBody: request.rawBody,
      },
      headers,
      body,
    );
  }
}
