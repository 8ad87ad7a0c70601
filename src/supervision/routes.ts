// Regulators' search, exports and alerts, always inside their jurisdiction.
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { manifests } from '../db/schema.js';
import { runCommand } from '../http/command.js';
import { notFound, ruleViolation } from '../core/errors.js';
import { Cursor, IdParams, Limit, responses, OneOf, DateString } from '../http/schemas.js';
import { requireClientRole, requireOrgRole, supervises } from '../auth/roles.js';
import { labelView, LabelSchema } from '../labels/label-view.js';
import { LABEL_STATES } from '../labels/label-lifecycle.js';
import { MANIFEST_STATES } from '../manifests/manifest-lifecycle.js';
import { effectivePrefix } from './jurisdiction.js';
import {
  LABEL_CSV_HEADER, labelCsvCells, MANIFEST_CSV_HEADER, manifestCsvCells, manifestSummary,
  searchLabels, searchManifests, type SearchFilters,
} from './search.js';
import { csvStream, EXPORT_PAGE } from '../http/csv.js';
import { ALERT_TYPES, openAlerts } from './alerts.js';
import { alertCursor, alertPage } from './alert-page.js';

const Uuid = Type.String({ format: 'uuid' });
const NS = Type.Union([Type.String(), Type.Null()]);

const filterFields = {
  regionCode: Type.Optional(Type.String({ pattern: '^\\d{2,6}$', description: 'Region code or prefix inside your jurisdiction' })),
  generatorId: Type.Optional(Uuid),
  receiverId: Type.Optional(Uuid),
  carrierId: Type.Optional(Uuid),
  wasteCode: Type.Optional(Type.String({ pattern: '^\\d{3}-\\d{3}-\\d{2}$' })),
  category: Type.Optional(Type.String({ pattern: '^HW\\d{2}$' })),
  from: Type.Optional(DateString),
  to: Type.Optional(DateString),
  discrepant: Type.Optional(Type.Boolean()),
  format: Type.Optional(OneOf(['json', 'csv'])),
  limit: Limit,
  cursor: Cursor,
};

const ManifestSummary = Type.Object({
  id: Type.String(), number: NS, state: Type.String(), generatorId: Type.String(), receiverId: Type.String(),
  regionCode: Type.String(), receiverRegionCode: Type.String(), plannedAt: Type.String({ format: 'date-time' }),
  discrepant: Type.Boolean(), intendedMethod: NS, submittedAt: NS, pickedUpAt: NS, deliveredAt: NS,
  receiptDueOn: NS, receivedAt: NS, completedAt: NS, createdAt: Type.String({ format: 'date-time' }),
});

const AlertSchema = Type.Object({
  type: OneOf(ALERT_TYPES), severity: OneOf(['high', 'medium']), entityType: OneOf(['label', 'manifest', 'licence', 'paper_transfer', 'calendar_year', 'site', 'site_period']),
  entityId: Type.String(), orgId: Type.String(), regionCode: Type.String(), deadline: Type.String({ format: 'date-time' }),
  lateBy: Type.Union([Type.Object({ value: Type.Integer(), unit: OneOf(['working_days', 'days', 'hours']) }), Type.Null()]),
  summary: Type.String(), details: Type.Record(Type.String(), Type.Unknown()),
});

type SearchQuery = { regionCode?: string; format?: string; limit?: number; cursor?: string } & Record<string, unknown>;
type Page<Row> = { page: Row[]; nextCursor: string | null };

/** One handler shape for both searches: JSON pages, or every match streamed as CSV. */
function searchHandler<Row, Item>(
  search: (prefix: string, filters: SearchFilters, limit: number, cursor?: string) => Promise<Page<Row>>,
  toItem: (row: Row) => Item,
  csv: { header: string[]; cells: (row: Row) => Array<string | number | boolean | null>; filename: string },
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { regionCode, format, limit, cursor, ...filters } = request.query as SearchQuery;
    const prefix = effectivePrefix(request.caller, regionCode);
    if (format === 'csv') {
      const stream = csvStream(csv.header, (c) => search(prefix, filters as SearchFilters, EXPORT_PAGE, c), csv.cells);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(stream);
    }
    const { page, nextCursor } = await search(prefix, filters as SearchFilters, limit ?? 50, cursor);
    return { items: page.map(toItem), nextCursor };
  };
}

export const supervisionRoutes: RouteModule = (app, ctx) => {
  app.get('/api/v1/supervision/labels', {
    schema: {
      operationId: 'searchLabels', tags: ['supervision'],
      summary: 'Search containers in your jurisdiction (generator\'s or holder\'s region); format=csv streams every match',
      querystring: Type.Object({ ...filterFields, state: Type.Optional(OneOf(LABEL_STATES)) }),
      response: responses({ 200: Type.Object({ items: Type.Array(LabelSchema), nextCursor: NS }) }, 401, 403, 404),
    },
  }, searchHandler(
    (prefix, f, limit, cursor) => searchLabels(ctx.db, prefix, f, limit, cursor),
    (l) => labelView(l, ctx.config.publicBaseUrl),
    { header: LABEL_CSV_HEADER, cells: labelCsvCells, filename: 'labels.csv' },
  ));

  app.get('/api/v1/supervision/manifests', {
    schema: {
      operationId: 'searchManifests', tags: ['supervision'],
      summary: 'Search manifests in your jurisdiction (generator\'s or receiver\'s region); format=csv streams every match',
      querystring: Type.Object({ ...filterFields, state: Type.Optional(OneOf(MANIFEST_STATES)) }),
      response: responses({ 200: Type.Object({ items: Type.Array(ManifestSummary), nextCursor: NS }) }, 401, 403, 404),
    },
  }, searchHandler(
    (prefix, f, limit, cursor) => searchManifests(ctx.db, prefix, f, limit, cursor),
    manifestSummary,
    { header: MANIFEST_CSV_HEADER, cells: manifestCsvCells, filename: 'manifests.csv' },
  ));

  app.get('/api/v1/supervision/alerts', {
    schema: {
      operationId: 'listAlerts', tags: ['supervision'],
      summary: 'Open alerts in your jurisdiction, computed from the records now, with deadline and how late',
      querystring: Type.Object({
        type: Type.Optional(OneOf(ALERT_TYPES)), regionCode: Type.Optional(Type.String({ pattern: '^\\d{2,6}$' })), limit: Limit, cursor: Cursor,
      }),
      response: responses({
        200: Type.Object({
          items: Type.Array(AlertSchema),
          total: Type.Integer({ description: 'Open alerts matching the query, on every page' }),
          nextCursor: NS,
          computedAt: Type.String({ format: 'date-time' }),
        }),
      }, 400, 401, 403, 404),
    },
  }, async (request) => {
    const { regionCode, type, limit, cursor } = request.query;
    const prefix = effectivePrefix(request.caller, regionCode);
    const after = alertCursor(cursor);
    const now = new Date();
    const all = await openAlerts(ctx.db, ctx.config, prefix, type, now);
    return { ...alertPage(all, limit ?? 50, after), total: all.length, computedAt: now.toISOString() };
  });

  app.post('/api/v1/supervision/manifests/:id/discrepancy-review', {
    schema: {
      operationId: 'reviewManifestDiscrepancy', tags: ['supervision'],
      summary: 'A regulator records its review of a weight discrepancy, which closes the alert (the discrepancy stays on record)',
      params: IdParams,
      body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
      response: responses({ 200: ManifestSummary }, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const { caller } = cmd.actor;
    requireOrgRole(caller, 'regulator');
    const [m] = await cmd.tx.select().from(manifests).where(eq(manifests.id, request.params.id)).for('update');
    if (!m || !supervises(caller, m.receiverRegionCode)) throw notFound('Manifest');
    requireClientRole(caller, 'admin', 'operator', 'registrar');
    if (!m.discrepant) throw ruleViolation('not_discrepant', 'This manifest has no discrepancy to review');
    const [updated] = await cmd.tx.update(manifests)
      .set({ discrepancyReviewedAt: new Date(), discrepancyReviewNote: request.body.note, version: m.version + 1, updatedAt: new Date() })
      .where(eq(manifests.id, m.id)).returning();
    await cmd.audit({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'review_discrepancy', after: { note: request.body.note } });
    return { status: 200, body: manifestSummary(updated) };
  }));
};
