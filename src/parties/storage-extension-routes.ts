// Storage-extension approvals of licensed operators (固废法 Art. 81, docs/regulations.md#storage-extensions).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { Cursor, DateString, IdParams, Limit, Page, responses } from '../http/schemas.js';
import { createStorageExtension, listStorageExtensions } from './storage-extensions.js';

const Id = Type.String({ format: 'uuid' });

const NewStorageExtension = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(.*\\S)?$', description: 'Approval document number; unique' }),
  labelIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true, description: 'The containers it covers (or give facilityId)' })),
  facilityId: Type.Optional(Type.String({ format: 'uuid', description: 'The storage facility whose contents it covers (or give labelIds)' })),
  validFrom: DateString,
  validTo: DateString,
}, { additionalProperties: false });

const StorageExtension = Type.Object({
  id: Id,
  number: Type.String(),
  orgId: Id,
  regionCode: Type.String(),
  labelIds: Type.Array(Id),
  facilityId: Type.Union([Id, Type.Null()]),
  validFrom: DateString,
  validTo: DateString,
  createdAt: Type.String({ format: 'date-time' }),
});

export const storageExtensionRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/orgs/:id/storage-extensions', {
    schema: {
      operationId: 'createStorageExtension', tags: ['parties'],
      summary: 'Register an approval to store longer than one year (固废法 Art. 81) for a licensed operator (registrar)',
      params: IdParams, body: NewStorageExtension, response: responses({ 201: StorageExtension }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createStorageExtension(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/storage-extensions', {
    schema: {
      operationId: 'listStorageExtensions', tags: ['parties'], summary: 'Storage-extension approvals of an organisation (itself or its regulator)',
      params: IdParams, querystring: Type.Object({ limit: Limit, cursor: Cursor }),
      response: responses({ 200: Page(StorageExtension) }, 401, 404),
    },
  }, (request) => listStorageExtensions(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));
};
