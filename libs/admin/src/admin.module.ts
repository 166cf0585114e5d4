import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthModule } from '@fleetgate/auth';
import { AccessControlController } from './access-control/access-control.controller';
import { AccessControlService } from './access-control/access-control.service';
import { MenuRepository } from './access-control/menu.repository';
import { ResourceRepository } from './access-control/resource.repository';
import { RouteCatalog } from './access-control/route-catalog';
import { NumberSegmentsModule } from './number-segments/number-segments.module';
import { OperationLogsModule } from './operation-logs/operation-logs.module';
import { GradeRepository } from './organisation/grade.repository';
import { OrganisationController } from './organisation/organisation.controller';
import { OrganisationService } from './organisation/organisation.service';
import { PostRepository } from './organisation/post.repository';
import { UserAdminService } from './users/user-admin.service';
import { UsersController } from './users/users.controller';
import { AdminReach } from './admin-reach.service';

/**
 * The back office that runs the gateway (after the PCloud document): users, roles and their grants,
 * menus and resources, departments, posts, grades, operation and login logs, number segments.
 */
@Module({
  imports: [DiscoveryModule, AuthModule, OperationLogsModule, NumberSegmentsModule],
  controllers: [UsersController, AccessControlController, OrganisationController],
  providers: [
    AdminReach,
    UserAdminService,
    AccessControlService,
    OrganisationService,
    RouteCatalog,
    MenuRepository,
    ResourceRepository,
    PostRepository,
    GradeRepository,
  ],
  exports: [RouteCatalog],
})
export class AdminModule {}
