// Query-string numbers, strictly: decimal digits only. `z.coerce.number()` would take `0x10`,
// `1e3`, ` 7` or an empty string (0) as numbers; a cursor or page size written like that is a
// client bug or a probe, and gets a 400 rather than a guess.
import { z } from "@hono/zod-openapi";

export interface QueryIntOptions {
  min: number;
  max: number;
  default: number;
  description?: string;
}

/** A query parameter that is a decimal integer in [min, max], or absent (the default). */
export function queryInt(options: QueryIntOptions) {
  return z
    .string()
    .regex(/^\d{1,16}$/, "must be a decimal integer")
    .optional()
    .transform((raw) => (raw === undefined ? options.default : Number(raw)))
    .pipe(z.number().int().min(options.min).max(options.max))
    .openapi({ type: "integer", minimum: options.min, maximum: options.max, default: options.default, description: options.description });
}
