import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@fleetgate/persistence';
import { ApiError } from '@fleetgate/platform';
import { jobIdOf, Outbox } from '@fleetgate/queues';
import { supports, VendorAccountService, VendorError } from '@fleetgate/vendors';

export interface CallbackReceipt {
  accepted: boolean;
  /** True when this exact callback was received before: acknowledged, not applied again. */
  duplicate: boolean;
}

/**
 * Vendor callbacks in: each is checked (caller's secret, payload shape), stored under a dedupe key
 * with its apply job in one transaction, and acknowledged at once; a worker applies it.
 */
@Injectable()
export class CallbackInbox {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: VendorAccountService,
    private readonly outbox: Outbox,
  ) {}

  async receive(
    vendor: string,
    accountId: string,
    secret: string | undefined,
    headers: Record<string, string | string[] | undefined>,
    body: unknown,
  ): Promise<CallbackReceipt> {
    if (!(await this.accounts.verifyWebhookSecret(accountId, vendor, secret))) {
      throw ApiError.unauthorized('Unknown account or wrong webhook secret');
    }
    const adapter = await this.accounts.adapterFor(accountId);
    if (!supports(adapter, 'callbacks')) {
      throw ApiError.unprocessable(`${vendor} sends no callbacks`, [{ field: 'vendor', problem: 'has no callbacks' }]);
    }
    try {
      // Parsed here only to refuse what can never be applied; the worker parses it again to apply it.
      adapter.parseCallback({ headers, body });
    } catch (error) {
      if (error instanceof VendorError) {
        throw ApiError.invalid(`Not a ${vendor} callback: ${error.vendorMessage}`, [
          { field: 'body', problem: error.vendorMessage },
        ]);
      }
      throw error;
    }
    const dedupeKey = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    try {
      await this.prisma.$transaction(async (tx) => {
        const row = await tx.callbackInbox.create({
          data: { vendor, accountId, dedupeKey, payload: body as Prisma.InputJsonValue },
          select: { id: true },
        });
        await this.outbox.stage(tx, 'callbacks.apply', { inboxId: row.id }, jobIdOf('callbacks.apply', row.id));
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        return { accepted: true, duplicate: true };
      }
      throw error;
    }
    this.outbox.relaySoon();
    return { accepted: true, duplicate: false };
  }
}
