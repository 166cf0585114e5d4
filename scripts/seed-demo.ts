/**
 * Seeds demo data for `npm start`: one vendor account per simulator (with the simulators' demo
 * credentials), the TikMatrix and EasyClick devices (those vendors have no inventory API), a device
 * group, an inventory sync of every account for the worker to run, and a back office to start from
 * (a department, operator and viewer roles, a demo operator, the menu tree). Safe to run again: what
 * exists is left alone. Run from the build: `node dist/scripts/seed-demo.js`.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PasswordHasher, Permission } from '@fleetgate/auth';
import { ConfigModule, loadConfig } from '@fleetgate/config';
import { ObservabilityModule } from '@fleetgate/observability';
import { PersistenceModule, PrismaService } from '@fleetgate/persistence';
import { JobProducer, jobIdOf, QueuesModule } from '@fleetgate/queues';
import { RedisModule } from '@fleetgate/redis';
import { VendorAccountService, VendorsModule } from '@fleetgate/vendors';
import { DEMO_CREDENTIALS, SIMULATED_VENDORS } from '@fleetgate/simulators';

const SIM_HOST = process.env.SIM_HOST ?? '127.0.0.1';
/** Devices registered by reference for the vendors without an inventory API. */
const REGISTERED_DEVICES = 10;

/** The frontend's navigation: directories with their pages, granted to roles in the back office. */
const DEMO_MENUS: Array<{ name: string; icon: string; pages: Array<[name: string, path: string]> }> = [
  {
    name: 'Fleet',
    icon: 'phone',
    pages: [
      ['Devices', '/devices'],
      ['Tasks', '/tasks'],
      ['Apps and files', '/artifacts'],
      ['Scheduled jobs', '/scheduled-jobs'],
    ],
  },
  {
    name: 'System',
    icon: 'settings',
    pages: [
      ['Users', '/admin/users'],
      ['Roles', '/admin/roles'],
      ['Departments', '/admin/departments'],
      ['Menus', '/admin/menus'],
      ['Operation log', '/admin/operation-logs'],
      ['Vendor accounts', '/vendor-accounts'],
    ],
  },
];

const OPERATOR_PERMISSIONS = [
  Permission.DevicesRead,
  Permission.DevicesManage,
  Permission.TasksRead,
  Permission.TasksManage,
  Permission.SchedulesRead,
  Permission.SchedulesManage,
  Permission.EventsRead,
];

async function seedBackOffice(prisma: PrismaService): Promise<void> {
  if (await prisma.role.findUnique({ where: { code: 'operator' } })) return;
  for (const [sort, directory] of DEMO_MENUS.entries()) {
    const parent = await prisma.menu.create({
      data: { name: directory.name, kind: 'directory', icon: directory.icon, sort },
    });
    await prisma.menu.createMany({
      data: directory.pages.map(([name, path], index) => ({
        name,
        path,
        kind: 'page',
        parentId: parent.id,
        sort: index,
      })),
    });
  }
  const fleetMenus = await prisma.menu.findMany({ where: { OR: [{ name: 'Fleet' }, { parent: { name: 'Fleet' } }] } });
  const operations = await prisma.department.create({ data: { name: 'Operations' } });
  const operator = await prisma.role.create({
    data: {
      code: 'operator',
      name: 'Fleet operator',
      description: 'Runs tasks and schedules on the devices of their department and the departments below',
      dataScope: 'department_tree',
      permissions: { create: OPERATOR_PERMISSIONS.map((permission) => ({ permission })) },
      menus: { create: fleetMenus.map((menu) => ({ menuId: menu.id })) },
    },
  });
  await prisma.role.create({
    data: {
      code: 'viewer',
      name: 'Viewer',
      description: 'Reads every device and task',
      dataScope: 'all',
      permissions: { create: [Permission.DevicesRead, Permission.TasksRead].map((permission) => ({ permission })) },
      menus: { create: fleetMenus.map((menu) => ({ menuId: menu.id })) },
    },
  });
  await prisma.user.create({
    data: {
      email: 'operator@fleetgate.local',
      name: 'Demo operator',
      passwordHash: await new PasswordHasher().hash('fleet-demo-2026'),
      departmentId: operations.id,
      roles: { create: { roleId: operator.id } },
    },
  });
  // The demo devices belong to the department, so that the operator's scope shows them.
  await prisma.device.updateMany({ where: { departmentId: null }, data: { departmentId: operations.id } });
  console.log('seeded the back office: department Operations, roles operator and viewer, operator@fleetgate.local');
}

function simulatorUrl(vendor: keyof typeof SIMULATED_VENDORS): string {
  const port = process.env[`SIM_${vendor.toUpperCase()}_PORT`] ?? SIMULATED_VENDORS[vendor].defaultPort;
  return `http://${SIM_HOST}:${port}`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  @Module({
    imports: [ConfigModule.forRoot(config), PersistenceModule, ObservabilityModule, RedisModule, QueuesModule, VendorsModule],
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
        console.log(`seeded vendor account ${name} (${account.id}), callbacks to ${created.webhookPath}`);
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
    await seedBackOffice(prisma);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
