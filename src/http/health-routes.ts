import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../db/database.js';
import { responses } from './schemas.js';
import { AppError } from '../core/errors.js';

const Status = Type.Object({ status: Type.String() });

export function registerHealthRoutes(app: FastifyInstance, database: Database): void {
  app.get('/healthz', {
    schema: { operationId: 'getHealth', tags: ['operations'], summary: 'The process is up', security: [], response: { 200: Status } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      operationId: 'getReadiness', tags: ['operations'], summary: 'The database is reachable', security: [],
      response: responses({ 200: Status }, 503),
    },
  }, async () => {
    try {
      await database.pool.query('SELECT 1');
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', 'The database is not reachable');
    }
    return { status: 'ok' };
  });
}
