/**
 * DTO rules for admin input that would otherwise reach PostgreSQL and fail
 * there as a 500 (CONTRACTS §2: invalid input is status 2):
 * - `IsOptionalNonNull` for optional fields whose column is NOT NULL:
 *   `@IsOptional()` skips validation for null as well as for an absent key,
 *   so `{"title": null}` on a PATCH would be written as NULL. Nullable
 *   columns (where null clears the value) keep `@IsOptional()`.
 * - `NoNulChar` for text: PostgreSQL text and jsonb cannot hold U+0000.
 */
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

/** Optional, but when present (null included) validated by the field's other rules. */
export const IsOptionalNonNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

export function hasNulChar(value: string): boolean {
  return value.includes('\u0000');
}

/** A string without the NUL character (non-strings are left to the type rules). */
export const NoNulChar = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'noNulChar',
      validator: { validate: (value) => typeof value !== 'string' || !hasNulChar(value) },
    },
    options,
  );
