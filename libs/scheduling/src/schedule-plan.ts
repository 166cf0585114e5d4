import { CronExpressionParser } from 'cron-parser';

export const SCHEDULE_KINDS = ['cron', 'once', 'weekly'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
export const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

export interface SchedulePlan {
  kind: ScheduleKind;
  /** 5 fields, or 6 with seconds first. */
  cron?: string | null;
  timeZone: string;
  runAt?: Date | null;
  weekdays?: readonly string[];
  /** "HH:MM" */
  timeOfDay?: string | null;
}

export class ScheduleError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(problem);
  }
}

/**
 * The cron pattern BullMQ's job scheduler runs for a plan: the cron itself, or for a weekly plan
 * "0 MM HH * * days". A one-off plan has none (it is one delayed job).
 */
export function cronPatternOf(plan: SchedulePlan): string | undefined {
  if (plan.kind === 'cron') return plan.cron ?? undefined;
  if (plan.kind === 'weekly') {
    const [hours, minutes] = (plan.timeOfDay ?? '').split(':').map(Number);
    const days = (plan.weekdays ?? []).map((day) => WEEKDAY_NAMES.indexOf(day as WeekdayName)).sort((a, b) => a - b);
    return `0 ${minutes} ${hours} * * ${days.join(',')}`;
  }
  return undefined;
}

/** Checks a plan whole; throws ScheduleError naming the field at fault. */
export function checkPlan(plan: SchedulePlan): void {
  if (!isTimeZone(plan.timeZone)) throw new ScheduleError('timeZone', 'must be an IANA time zone such as Europe/Paris');
  if (plan.kind === 'cron') {
    if (!plan.cron) throw new ScheduleError('cron', 'is required for a cron schedule');
    const fields = plan.cron.trim().split(/\s+/).length;
    if (fields !== 5 && fields !== 6) throw new ScheduleError('cron', 'must have 5 fields, or 6 with seconds first');
    try {
      CronExpressionParser.parse(plan.cron, { tz: plan.timeZone });
    } catch (error) {
      throw new ScheduleError('cron', `is not a valid cron expression: ${(error as Error).message}`);
    }
  } else if (plan.kind === 'once') {
    if (!plan.runAt) throw new ScheduleError('runAt', 'is required for a one-off schedule');
  } else {
    if (!plan.weekdays?.length) throw new ScheduleError('weekdays', 'needs at least one day for a weekly schedule');
    if (!plan.timeOfDay || !/^([01]\d|2[0-3]):[0-5]\d$/.test(plan.timeOfDay)) {
      throw new ScheduleError('timeOfDay', 'must be HH:MM for a weekly schedule');
    }
  }
}

/** The next `count` fire times after `from`. */
export function nextFireTimes(plan: SchedulePlan, count: number, from = new Date()): Date[] {
  if (plan.kind === 'once') return plan.runAt && plan.runAt > from ? [plan.runAt] : [];
  const pattern = cronPatternOf(plan)!;
  const expression = CronExpressionParser.parse(pattern, { tz: plan.timeZone, currentDate: from });
  return expression.take(count).map((date) => date.toDate());
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
