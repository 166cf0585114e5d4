import { Module } from '@nestjs/common';
import { CallbackApplier } from './callbacks/callback-applier';
import { CallbackInbox } from './callbacks/callback-inbox.service';
import { WebhooksController } from './callbacks/webhooks.controller';
import { DeviceSyncService } from './devices/device-sync.service';
import { DeviceService } from './devices/device.service';
import { DevicesController } from './devices/devices.controller';
import { TaskDispatcher } from './tasks/task-dispatcher';
import { TaskPoller } from './tasks/task-poller';
import { TaskProgress } from './tasks/task-progress';
import { TaskSweeper } from './tasks/task-sweeper';
import { TaskService } from './tasks/task.service';
import { TasksController } from './tasks/tasks.controller';

const services = [
  DeviceService,
  DeviceSyncService,
  TaskService,
  TaskProgress,
  TaskDispatcher,
  TaskPoller,
  TaskSweeper,
  CallbackInbox,
  CallbackApplier,
];

/**
 * Devices, tasks and vendor callbacks. The gateway serves the controllers; the worker runs the same
 * services from its job handlers (needs VendorsModule, QueuesModule and PersistenceModule, which are global).
 */
@Module({
  controllers: [DevicesController, TasksController, WebhooksController],
  providers: services,
  exports: services,
})
export class FleetModule {}
