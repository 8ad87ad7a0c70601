// Optimistic concurrency: a change applies only to the version the client read (If-Match).
import { AppError } from './errors.js';

export function checkVersion(expected: number | undefined, actual: number, what: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new AppError('VERSION_CONFLICT', `${what} is at version ${actual}, not ${expected}`, { currentVersion: actual });
  }
}
