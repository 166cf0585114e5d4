import { Injectable, Logger } from '@nestjs/common';
import { LoginLogRepository } from './login-log.repository';

/** Why a sign-in was refused, as the login log shows it (the caller only ever hears "wrong"). */
export type LoginFailureReason = 'unknown_user' | 'bad_password' | 'disabled';

/** Where a sign-in came from. */
export interface LoginClient {
  ip?: string;
  userAgent?: string;
}

export interface LoginAttempt extends LoginClient {
  email: string;
  userId?: string;
  /** locked: refused unchecked, the address or the e-mail from it made too many attempts. */
  outcome: 'succeeded' | 'failed' | 'locked';
  reason?: LoginFailureReason;
}

/** Writes the login log: every sign-in attempt, with its outcome, never with the password. */
@Injectable()
export class LoginLogRecorder {
  private readonly logger = new Logger(LoginLogRecorder.name);

  constructor(private readonly loginLogs: LoginLogRepository) {}

  /** Never throws: a sign-in does not fail because its log row could not be written. */
  async record(attempt: LoginAttempt): Promise<void> {
    try {
      await this.loginLogs.add({
        email: attempt.email.toLowerCase().slice(0, 320),
        userId: attempt.userId,
        outcome: attempt.outcome,
        reason: attempt.reason,
        ip: attempt.ip,
        userAgent: attempt.userAgent?.slice(0, 500),
      });
    } catch (error) {
      this.logger.warn({ err: error, outcome: attempt.outcome }, 'could not write the login log');
    }
  }
}
