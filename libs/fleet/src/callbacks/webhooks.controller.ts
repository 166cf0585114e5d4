import { Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '@fleetgate/auth';
import { ApiErrorResponses } from '@fleetgate/platform';
import { CallbackInbox } from './callback-inbox.service';
import { CallbackReceiptDto } from './callback.dto';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly inbox: CallbackInbox) {}

  /**
   * Where a vendor posts its callbacks for one account. None of the four vendors signs its callbacks,
   * so the caller proves itself with the account's webhook secret, in the `X-Fleetgate-Webhook-Secret`
   * header or, for vendors that only take a URL, the `token` query parameter.
   */
  @Post(':vendor/:accountId')
  @HttpCode(200)
  @Public()
  @ApiHeader({ name: 'X-Fleetgate-Webhook-Secret', required: false })
  @ApiQuery({ name: 'token', required: false })
  @ApiBody({
    description: 'The vendor’s callback, as the vendor sends it',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({ type: CallbackReceiptDto })
  @ApiErrorResponses(400, 401, 422)
  receive(
    @Param('vendor') vendor: string,
    @Param('accountId', new ParseUUIDPipe()) accountId: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Query('token') token: string | undefined,
    @Body() body: unknown,
  ): Promise<CallbackReceiptDto> {
    const secret = (headers['x-fleetgate-webhook-secret'] as string | undefined) ?? token;
    return this.inbox.receive(vendor, accountId, secret, headers, body);
  }
}
