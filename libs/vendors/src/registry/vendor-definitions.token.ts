import type { InjectionToken } from '@nestjs/common';
import type { VendorDefinition } from '../core/vendor-definition';

/** Every vendor definition, collected by a factory provider (see VendorsModule). */
export const VENDOR_DEFINITIONS: InjectionToken<readonly VendorDefinition[]> = Symbol('VENDOR_DEFINITIONS');
