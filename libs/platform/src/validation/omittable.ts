import { ValidateIf } from 'class-validator';

/**
 * For a PATCH field whose column cannot be null: leaving it out keeps the stored value, but a `null`
 * is validated like any other value, so the field's own checks refuse it with a 400 naming the field.
 * (`@IsOptional()` lets null through, and the database then refuses it with a 500.)
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}
