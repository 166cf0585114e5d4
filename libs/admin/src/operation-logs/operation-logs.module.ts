import { Module } from '@nestjs/common';
import { LoginLogsController } from './login-logs.controller';
import { OperationLogRecorder } from './operation-log-recorder';
import { OperationLogRepository } from './operation-log.repository';
import { OperationLogsController } from './operation-logs.controller';
import { OperationLogsService } from './operation-logs.service';

/**
 * The operation and login logs. The gateway records and serves them (the login log is written by
 * AuthModule's LoginLogRecorder); the worker purges them through OperationLogsService.
 */
@Module({
  controllers: [OperationLogsController, LoginLogsController],
  providers: [OperationLogsService, OperationLogRecorder, OperationLogRepository],
  exports: [OperationLogsService],
})
export class OperationLogsModule {}
