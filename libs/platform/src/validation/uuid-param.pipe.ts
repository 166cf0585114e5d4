import { type ArgumentMetadata, Injectable, ParseUUIDPipe } from '@nestjs/common';
import { InvalidInputError } from '@fleetgate/domain';

/**
 * An id in the path that must be a UUID. Nest's own pipe refuses with a message that names no
 * parameter; this one refuses with a 400 whose details name it, as every other bad field is named.
 * A UUID is the same in either case: the route gets it in lower case, as PostgreSQL answers it, so
 * that ids compared or used as keys in memory (caches, a callback's receipt) match the stored ones.
 */
@Injectable()
export class UuidParamPipe extends ParseUUIDPipe {
  /** The pipe's check, for a route that checks its own input: `value` in lower case, or a 400 naming `field`. */
  static parse(value: unknown, field: string): string {
    if (typeof value === 'string' && UuidParamPipe.uuidRegExps.all.test(value)) return value.toLowerCase();
    throw new InvalidInputError(`${field} must be a UUID`, [{ field, problem: 'must be a UUID' }]);
  }

  override async transform(value: string, metadata: ArgumentMetadata) {
    return UuidParamPipe.parse(value, metadata.data ?? 'id');
  }
}
