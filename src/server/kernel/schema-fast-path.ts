// Hand-written fast paths for the zod schemas of the hottest routes (a village phone posting one
// record). A route keeps declaring its zod schema as usual (OpenAPI, types, error messages); a fast
// path registered for that schema object is tried first by app.ts's validator and serializer
// compilers:
//   - a check that accepts only what the schema accepts (it may refuse more: a refused value goes
//     through zod, so every error, and its message, is zod's own);
//   - a serialiser that writes exactly what zod's encode + JSON.stringify would, or returns
//     undefined for anything unusual (zod then handles, and refuses, it).
import type { z } from 'zod';

const checks = new WeakMap<object, (data: unknown) => boolean>();
const serializers = new WeakMap<object, (data: unknown) => string | undefined>();

export function fastCheck<S extends z.ZodType>(schema: S, check: (data: unknown) => data is z.output<S>): S {
  checks.set(schema, check);
  return schema;
}

export function fastSerializer<S extends z.ZodType>(schema: S, serialize: (data: unknown) => string | undefined): S {
  serializers.set(schema, serialize);
  return schema;
}

export const fastCheckOf = (schema: unknown) => (typeof schema === 'object' && schema ? checks.get(schema) : undefined);
export const fastSerializerOf = (schema: unknown) => (typeof schema === 'object' && schema ? serializers.get(schema) : undefined);

/** A plain object (as JSON.parse makes) whose own keys are all in `allowed`; returns how many it has, or -1. */
export function knownKeys(o: unknown, allowed: ReadonlySet<string>): number {
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return -1;
  let n = 0;
  for (const k in o) {
    if (!allowed.has(k)) return -1;
    n++;
  }
  return n;
}
