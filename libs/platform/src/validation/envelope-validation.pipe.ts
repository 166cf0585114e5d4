import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldProblem } from '../errors/api-error';
import { unstorableInput } from './unstorable-input';
import { InvalidInputError } from '@fleetgate/domain';

/**
 * A request without a body is checked as an empty one, so that it is refused field by field like any
 * other incomplete body instead of reaching a handler as undefined. Input that no route can take
 * (control characters in path and query text, NUL in a body, a body nested too deep) is refused
 * first, for every route, whatever its own checks.
 */
class EnvelopeValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    refuseUnstorableInput(value, metadata);
    const isClassBody =
      metadata.type === 'body' && typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    return super.transform(isClassBody && (value === undefined || value === null) ? {} : value, metadata);
  }
}

/**
 * The global pipe's first check (unstorableInput), for a route that checks its own input: a 400
 * naming each field that no route can take.
 */
export function refuseUnstorableInput(value: unknown, metadata: ArgumentMetadata): void {
  const unstorable = unstorableInput(value, metadata);
  if (unstorable.length > 0) throw new InvalidInputError(`Invalid request: ${summaryOf(unstorable)}`, unstorable);
}

/** class-validator's nested errors as one problem per field, with dotted paths under `parent`. */
export function fieldProblemsOf(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((problem) => ({
      field,
      // class-validator starts its messages with the property name; the field already says it.
      problem: problem.startsWith(`${error.property} `) ? problem.slice(error.property.length + 1) : problem,
    }));
    return [...own, ...fieldProblemsOf(error.children ?? [], field)];
  });
}

/**
 * The global validation pipe: strips nothing silently (unknown fields are refused), converts
 * query and path strings to the declared types, and reports every problem by field.
 */
export function createValidationPipe(): ValidationPipe {
  return new EnvelopeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = fieldProblemsOf(errors).map((detail) =>
        detail.problem === `property ${detail.field.split('.').pop()} should not exist`
          ? { field: detail.field, problem: 'is not an accepted field' }
          : detail,
      );
      return new BadRequestException({ message: `Invalid request: ${summaryOf(details)}`, details });
    },
  });
}

function summaryOf(details: FieldProblem[]): string {
  return details
    .slice(0, 3)
    .map((detail) => `${detail.field} ${detail.problem}`)
    .join('; ');
}
