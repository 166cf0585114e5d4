import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { FleetgateConfig } from '@fleetgate/config';
import { UserAccessService } from './access/user-access.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { ApiKeyService } from './api-keys/api-key.service';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthController } from './auth.controller';
import { AuthDataModule } from './auth-data.module';
import { AuthenticationGuard } from './authentication.guard';
import { PasswordHasher } from './password-hasher';
import { LoginLogRecorder } from './sessions/login-log-recorder';
import { LoginThrottle } from './sessions/login-throttle';
import { SessionService } from './sessions/session.service';
import { SignInCache } from './sessions/sign-in-cache';

@Module({
  imports: [
    AuthDataModule,
    JwtModule.registerAsync({
      inject: [FleetgateConfig],
      // A secret KeyObject, made once: given a string, jsonwebtoken first tries to read it as a public
      // key on every verification (crypto.createPublicKey, a fifth of the gateway's CPU under load).
      useFactory: (config: FleetgateConfig) => ({
        secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')),
        signOptions: { algorithm: 'HS256' },
      }),
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    PasswordHasher,
    SessionService,
    SignInCache,
    LoginThrottle,
    LoginLogRecorder,
    ApiKeyService,
    UserAccessService,
    AdminBootstrapService,
    AuthenticationGuard,
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
  ],
  exports: [PasswordHasher, SessionService, UserAccessService, AuthenticationGuard, ApiKeyService],
})
export class AuthModule {}
