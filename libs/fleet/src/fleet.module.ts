import { Module } from '@nestjs/common';
import { UserAccessService } from '@fleetgate/auth';
import { QueueEpochRepository } from './recovery/queue-epoch.repository';
import { QueueRecovery } from './recovery/queue-recovery';
import { ArtifactRepository } from './artifacts/artifact.repository';
import { ArtifactService } from './artifacts/artifact.service';
import { ArtifactsController } from './artifacts/artifacts.controller';
import { CallbackApplier } from './callbacks/callback-applier';
import { CallbackInboxRepository } from './callbacks/callback-inbox.repository';
import { CallbackInbox } from './callbacks/callback-inbox.service';
import { WebhooksController } from './callbacks/webhooks.controller';
import { DeviceGroupRepository } from './devices/device-group.repository';
import { DeviceRepository } from './devices/device.repository';
import { DeviceSyncService } from './devices/device-sync.service';
import { EventDeliveryRepository } from './events/event-delivery.repository';
import { EventDeliveryService } from './events/event-delivery.service';
import { EventSubscriptionRepository } from './events/event-subscription.repository';
import { EventSubscriptionService } from './events/event-subscription.service';
import { EventsController } from './events/events.controller';
import { FleetEvents } from './events/fleet-events';
import { DeviceService } from './devices/device.service';
import { DevicesController } from './devices/devices.controller';
import { TaskControlService } from './tasks/task-control.service';
import { TaskCreationService } from './tasks/task-creation.service';
import { TaskDispatcher } from './tasks/task-dispatcher';
import { TaskPoller } from './tasks/task-poller';
import { TaskProgress } from './tasks/task-progress';
import { TaskQueryService } from './tasks/task-query.service';
import { TaskSweeper } from './tasks/task-sweeper';
import { TaskTargetRepository } from './tasks/task-target.repository';
import { TaskTargeting } from './tasks/task-targeting';
import { TaskRepository } from './tasks/task.repository';
import { TasksController } from './tasks/tasks.controller';
import { UserAccessNow } from './scope/user-access-now';

const services = [
  DeviceService,
  DeviceSyncService,
  TaskCreationService,
  TaskQueryService,
  TaskControlService,
  TaskProgress,
  TaskDispatcher,
  TaskPoller,
  TaskSweeper,
  CallbackInbox,
  CallbackApplier,
  FleetEvents,
  ArtifactService,
  EventDeliveryService,
  EventSubscriptionService,
  QueueRecovery,
  UserAccessNow,
];

/** The only providers that touch fleet's tables; other libraries reach them through the services. */
const repositories = [
  DeviceRepository,
  DeviceGroupRepository,
  ArtifactRepository,
  CallbackInboxRepository,
  EventSubscriptionRepository,
  EventDeliveryRepository,
  QueueEpochRepository,
  TaskRepository,
  TaskTargetRepository,
];

/**
 * Devices, tasks and vendor callbacks. The gateway serves the controllers; the worker runs the same
 * services from its job handlers (needs VendorsModule, QueuesModule and PersistenceModule, which are global).
 */
@Module({
  controllers: [DevicesController, TasksController, WebhooksController, EventsController, ArtifactsController],
  // UserAccessService here too: the worker has no AuthModule, and scheduled fires and event deliveries read access.
  providers: [...services, ...repositories, TaskTargeting, UserAccessService],
  exports: services,
})
export class FleetModule {}
