import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * Capabilities that have something to say about readiness (vendor circuit breakers, for one)
 * provide one of these under READINESS_CONTRIBUTORS; /health/ready runs them all.
 */
export interface ReadinessContributor {
  checkReadiness(): Promise<HealthIndicatorResult>;
}

export const READINESS_CONTRIBUTORS = Symbol('READINESS_CONTRIBUTORS');
