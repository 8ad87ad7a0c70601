// Numbers in a URL must be finite. ajv's type coercion turns the text "Infinity" or "-Infinity"
// into a number that then passes `type: integer` and the minimum/maximum checks (seen with the
// fuzz test: ?limit=-Infinity reached the SQL, ?year=Infinity the calendar). This hook refuses such
// values for every query or path parameter whose schema is a number, before validation runs.
import type { FastifyRequest } from 'fastify';
import { invalid } from '../core/errors.js';

const NOT_FINITE = /^\s*[+-]?(infinity|nan)\s*$/i;

interface Schema { type?: unknown; anyOf?: Schema[]; properties?: Record<string, Schema> }

const isNumeric = (s: Schema | undefined): boolean =>
  s !== undefined && (s.type === 'integer' || s.type === 'number' || (s.anyOf ?? []).some(isNumeric));

function check(part: 'querystring' | 'params', values: unknown, schema: Schema | undefined) {
  if (!schema?.properties || !values || typeof values !== 'object') return;
  for (const [name, sub] of Object.entries(schema.properties)) {
    const raw = (values as Record<string, unknown>)[name];
    const texts = Array.isArray(raw) ? raw : [raw];
    if (isNumeric(sub) && texts.some((t) => typeof t === 'string' && NOT_FINITE.test(t))) {
      const where = part === 'params' ? 'params' : 'querystring';
      throw invalid(`${where}.${name} must be a finite number`, [{ path: `${where}.${name}`, message: 'must be a finite number' }]);
    }
  }
}

export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema as { querystring?: Schema; params?: Schema } | undefined;
  if (!schema) return;
  check('querystring', request.query, schema.querystring);
  check('params', request.params, schema.params);
}
