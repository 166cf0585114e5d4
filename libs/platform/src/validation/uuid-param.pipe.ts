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
  override async transform(value: string, metadata: ArgumentMetadata) {
    try {
      return (await super.transform(value, metadata))?.toLowerCase();
    } catch {
      const field = metadata.data ?? 'id';
      throw new InvalidInputError(`${field} must be a UUID`, [{ field, problem: 'must be a UUID' }]);
    }
  }
}
