import { Global, Module } from '@nestjs/common';
import { DepartmentRepository } from './access/department.repository';
import { RoleRepository } from './access/role.repository';
import { ApiKeyRepository } from './api-keys/api-key.repository';
import { LoginLogRepository } from './sessions/login-log.repository';
import { SessionRepository } from './sessions/session.repository';
import { SessionRetention } from './sessions/session-retention';
import { UserRepository } from './users/user.repository';

const provided = [
  UserRepository,
  RoleRepository,
  DepartmentRepository,
  SessionRepository,
  ApiKeyRepository,
  LoginLogRepository,
  SessionRetention,
];

/**
 * The repositories of auth's tables (users, roles and their grants, departments, sessions, API keys,
 * the login log): the only code that touches them. AdminModule writes them through these. Global, as
 * PersistenceModule is, since UserAccessService is provided where access is read (AuthModule in the
 * gateway, FleetModule in the worker too) and needs them there; the gateway gets it with AuthModule,
 * the worker imports it.
 */
@Global()
@Module({ providers: provided, exports: provided })
export class AuthDataModule {}
