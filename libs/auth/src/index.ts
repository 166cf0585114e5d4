export * from './auth.module';
export * from './authenticated.decorator';
export * from './password-hasher';
export * from './permissions';
export * from './principal';
export * from './sessions/session.service';
export * from './token-hash';
export * from './user-permission-source';
