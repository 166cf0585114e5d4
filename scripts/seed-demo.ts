/**
 * Seeds demo data for `npm start`: one vendor account per simulator (with the simulators' demo
 * credentials), the TikMatrix and EasyClick devices (those vendors have no inventory API), a device
 * group, and an inventory sync of every account for the worker to run. Safe to run again: what
 * exists is left alone. Run from the build: `node dist/scripts/seed-demo.js`.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfig } from '@fleetgate/config';
import { ObservabilityModule } from '@fleetgate/observability';
import { PersistenceModule, PrismaService } from '@fleetgate/persistence';
import { JobProducer, jobIdOf, QueuesModule } from '@fleetgate/queues';
import { VendorAccountService, VendorsModule } from '@fleetgate/vendors';
import { DEMO_CREDENTIALS } from '../apps/simulator/src/demo-accounts';
import { SIMULATED_VENDORS } from '../apps/simulator/src/vendors';

const SIM_HOST = process.env.SIM_HOST ?? '127.0.0.1';
/** Devices registered by reference for the vendors without an inventory API. */
const REGISTERED_DEVICES = 10;

function simulatorUrl(vendor: keyof typeof SIMULATED_VENDORS): string {
  const port = process.env[`SIM_${vendor.toUpperCase()}_PORT`] ?? SIMULATED_VENDORS[vendor].defaultPort;
  return `http://${SIM_HOST}:${port}`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  @Module({
    imports: [ConfigModule.forRoot(config), PersistenceModule, ObservabilityModule, QueuesModule, VendorsModule],
  })
  class SeedModule {}
  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error', 'warn'] });
  const prisma = app.get(PrismaService);
  const accounts = app.get(VendorAccountService);
  const producer = app.get(JobProducer);
  try {
    for (const vendor of Object.keys(SIMULATED_VENDORS) as Array<keyof typeof SIMULATED_VENDORS>) {
      const name = `demo-${vendor}`;
      let account = await prisma.vendorAccount.findUnique({ where: { vendor_name: { vendor, name } } });
      if (!account) {
        const created = await accounts.create({
          vendor,
          name,
          baseUrl: simulatorUrl(vendor),
          credentials: DEMO_CREDENTIALS[vendor],
        });
        account = await prisma.vendorAccount.findUniqueOrThrow({ where: { id: created.id } });
        console.log(
          `seeded vendor account ${name} (${account.id}), callbacks to ${created.webhookPath}`,
        );
      }
      if (vendor === 'tikmatrix' || vendor === 'easyclick') {
        const refs = Array.from({ length: REGISTERED_DEVICES }, (_, i) =>
          vendor === 'tikmatrix' ? `TMX${String(i + 1).padStart(6, '0')}` : String(i + 1).padStart(3, '0'),
        );
        const { count } = await prisma.device.createMany({
          data: refs.map((vendorRef) => ({ vendor, accountId: account.id, vendorRef, name: `${vendor} ${vendorRef}` })),
          skipDuplicates: true,
        });
        if (count) console.log(`registered ${count} ${vendor} devices`);
      } else {
        await producer.enqueue(
          'devices.sync',
          { accountId: account.id },
          { jobId: jobIdOf('devices.sync', account.id, 'seed') },
        );
      }
    }
    await prisma.deviceGroup.upsert({
      where: { name: 'demo' },
      create: { name: 'demo', description: 'Seeded by npm start' },
      update: {},
    });
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
