// The link with the national and provincial systems over HTTP (docs/exchange.md): an exchange client
// records the official 联单 number a system assigned; anyone who may read a manifest reads it in the
// national manifest's shape, or finds it by its official number.
import { eq, and } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { manifestOfficialNumbers } from '../db/schema.js';
import { etag, runCommand } from '../http/command.js';
import { DateTime, IdParams, OneOf, responses } from '../http/schemas.js';
import { notFound } from '../core/errors.js';
import { loadVisibleManifest, ManifestSchema, manifestView } from './manifest-view.js';
import { OFFICIAL_SYSTEMS, OfficialNumberSchema } from './official-number-view.js';
import { recordOfficialNumber } from './official-numbers.js';
import { nationalRecord } from './national-record.js';
import { NationalRecordSchema } from './national-record-schema.js';

const OfficialNumberBody = Type.Object({
  system: OneOf(OFFICIAL_SYSTEMS),
  number: Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z-]+$', description: 'As the system assigned it; a national number has 14 digits (转移管理办法 Art. 15)' }),
  assignedAt: DateTime,
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Required to replace a number the manifest already holds in this system (a correction)' })),
}, { additionalProperties: false });

const OfficialNumberRecorded = Type.Object({
  manifestId: Type.String(), manifestNumber: Type.Union([Type.String(), Type.Null()]), version: Type.Integer(), officialNumber: OfficialNumberSchema,
});

export const exchangeRoutes: RouteModule = (app, ctx) => {
  app.put('/api/v1/manifests/:id/official-number', {
    schema: {
      operationId: 'putManifestOfficialNumber', tags: ['manifests'],
      summary: 'Record the official 联单 number the national or provincial system assigned (exchange clients of a regulator supervising the manifest)',
      description: '201 when recorded, 200 when the manifest already holds this number in this system (nothing changes) or when a correction with a `reason` replaced another one. '
        + 'Another number without a reason: 409 rule official_number_assigned; a number another manifest holds in the system: 409 rule official_number_taken.',
      params: IdParams, body: OfficialNumberBody,
      response: responses({ 200: OfficialNumberRecorded, 201: OfficialNumberRecorded }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const r = await recordOfficialNumber(cmd, request.params.id, request.body);
    return { ...r, headers: { etag: etag(r.body.version) } };
  }));

  app.get('/api/v1/manifests/:id/national-record', {
    schema: {
      operationId: 'getManifestNationalRecord', tags: ['manifests'],
      summary: 'The manifest in the shape of the national 危险废物转移联单 (keys and their data elements: docs/exchange.md)',
      params: IdParams, response: responses({ 200: NationalRecordSchema }, 401, 404),
    },
  }, async (request, reply) => {
    // One snapshot: the record's parts (steps, receipt, numbers) agree even while steps are recorded.
    const record = await ctx.db.transaction((tx) => nationalRecord(tx, request.caller, request.params.id), { isolationLevel: 'repeatable read', accessMode: 'read only' });
    reply.header('etag', etag(record.version));
    return record;
  });

  app.get('/api/v1/manifests/by-official-number/:system/:number', {
    schema: {
      operationId: 'getManifestByOfficialNumber', tags: ['manifests'], summary: 'One manifest by the number the national or provincial system assigned',
      params: Type.Object({ system: OneOf(OFFICIAL_SYSTEMS), number: Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z-]+$' }) }),
      response: responses({ 200: ManifestSchema }, 401, 404),
    },
  }, async (request, reply) => {
    const { system, number } = request.params;
    const [found] = await ctx.db.select({ id: manifestOfficialNumbers.manifestId }).from(manifestOfficialNumbers)
      .where(and(eq(manifestOfficialNumbers.system, system), eq(manifestOfficialNumbers.number, number)));
    if (!found) throw notFound('Manifest');
    const loaded = await loadVisibleManifest(ctx.db, request.caller, found.id);
    reply.header('etag', etag(loaded.m.version));
    return manifestView(loaded);
  });
};
