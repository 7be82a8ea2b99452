import type { ErrorObject } from 'ajv';

/** The Compose Specification's schema compiled by src/compose/schema/compile-validator.mjs (ajv standalone). */
declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validate;
