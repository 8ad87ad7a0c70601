// A body field an action needs although the schema, shared by several actions, makes it optional.
import { invalid } from './errors.js';

export function required<T>(value: T | undefined, path: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    throw invalid(`${path} is required for this action`, [{ path: `body.${path}`, message: 'required' }]);
  }
  return value;
}
