/**
 * Column helpers shared by the entities. bigint ids come back from pg as
 * strings; ids here stay far below 2^53, so they are numbers in code (JSON
 * and JWT claims carry them as numbers). Money (numeric) stays a string so
 * no decimal is ever rounded by a float.
 */
import {
  Column,
  CreateDateColumn,
  Generated,
  PrimaryColumn,
  UpdateDateColumn,
  type ValueTransformer,
} from 'typeorm';

export const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** bigserial primary key exposed as a number. */
export function BigSerialPrimary(name = 'id'): PropertyDecorator {
  return (target, key) => {
    PrimaryColumn({ name, type: 'bigint', transformer: bigintAsNumber })(target, key);
    Generated('increment')(target, key);
  };
}

export function BigIntColumn(name: string, nullable = false): PropertyDecorator {
  return Column({ name, type: 'bigint', nullable, transformer: bigintAsNumber });
}

export function BrandIdColumn(): PropertyDecorator {
  return Column({ name: 'brand_id', type: 'integer' });
}

export function TextColumn(name: string, nullable = false): PropertyDecorator {
  return Column({ name, type: 'text', nullable });
}

export function MoneyColumn(name: string, nullable = false): PropertyDecorator {
  return Column({ name, type: 'numeric', precision: 20, scale: 2, nullable });
}

export function TimestampColumn(name: string): PropertyDecorator {
  return Column({ name, type: 'timestamptz', nullable: true });
}

export function CreatedAt(): PropertyDecorator {
  return CreateDateColumn({ name: 'created_at', type: 'timestamptz' });
}

export function UpdatedAt(): PropertyDecorator {
  return UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' });
}
