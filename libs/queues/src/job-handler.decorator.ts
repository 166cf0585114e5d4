import { SetMetadata } from '@nestjs/common';
import type { HandledJobName } from './job-catalog';

export const JOB_HANDLER_METADATA = 'fleetgate:job-handler';

/** Marks a provider method as the handler of one job name; the worker's JobRouter finds it by discovery. */
export const HandlesJob = (name: HandledJobName) => SetMetadata(JOB_HANDLER_METADATA, name);
