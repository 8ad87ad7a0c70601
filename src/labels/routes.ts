import { and, asc, eq, gt, like, or, sql, type SQL } from 'drizzle-orm';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import type { AppContext, RouteModule } from '../context.js';
import { labels, organisations } from '../db/schema.js';
import { etag, ifMatchVersion, runCommand, runOneStatementCommand } from '../http/command.js';
import { listLabels } from './queries.js';
import { Cursor, IdParams, Limit, Page, responses, OneOf, DateString } from '../http/schemas.js';
import { isRegulator } from '../auth/roles.js';
import { loadManagedOrg } from '../parties/organisations.js';
import { issueLabels } from './issue.js';
import { attemptLabelAction, isOneStatementAction, performLabelAction } from './actions.js';
import { labelView, LabelSchema, type LabelRow } from './label-view.js';
import { loadVisibleLabel } from './visibility.js';
import { qrUrl } from './qr-token.js';
import { labelTrace } from './trace.js';
import { ledgerCsv, ledgerView, readLedger, readLedgerPage } from './ledger.js';
import { EXPORT_PAGE } from '../http/csv.js';
import { renderLabelSvg } from './print-label.js';
import { labelSizeMm, type LabelSize } from './label-svg.js';
import { LABEL_SIZES, labelsPdf, PRINTER_DPIS, type PrinterDpi } from './label-pdf.js';
import { pdfContent, sendPdf, varyOnAccept, wantsPdf } from '../documents/pdf-reply.js';
import { invalid } from '../core/errors.js';
import { IssueBatchBody, IssueLabelBody, LabelActionBody } from './schemas.js';
import { LABEL_STATES } from './label-lifecycle.js';
import { routesFromParts } from '../tracks/read-track.js';
import { routeGeoJson, RouteSchema } from '../tracks/route-geojson.js';


const StepSchema = Type.Object({
  order: Type.Integer(), seq: Type.Integer(), labelId: Type.String(), digitalCode: Type.String(), viaParent: Type.Boolean(),
  occurredAt: Type.String({ format: 'date-time' }), recordedAt: Type.String({ format: 'date-time' }),
  action: Type.String(), fromState: Type.Union([Type.String(), Type.Null()]), toState: Type.String(),
  orgId: Type.String(), clientId: Type.String(), manifestId: Type.Union([Type.String(), Type.Null()]),
  facilityId: Type.Union([Type.String(), Type.Null()]), method: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.Object({ lat: Type.Number(), lng: Type.Number() }), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
const LabelRef = Type.Object({ id: Type.String(), digitalCode: Type.String(), state: Type.String() });
const ManifestRef = Type.Object({ id: Type.String(), number: Type.Union([Type.String(), Type.Null()]), state: Type.String() });
// In a label's trace: which kind of trip, the original of a return, and the manifest's own steps.
const TracedManifest = Type.Object({
  ...ManifestRef.properties,
  kind: Type.String({ description: 'transfer, or return (a refused container\'s trip back, 转移管理办法 Art. 18)' }),
  originalManifestId: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Array(Type.Object({
    action: Type.String(), fromState: Type.Union([Type.String(), Type.Null()]), toState: Type.String(), orgId: Type.String(),
    occurredAt: Type.String({ format: 'date-time' }),
  })),
  route: RouteSchema,
});

const LedgerRecord = Type.Object({
  batchCode: Type.String(), kind: Type.String(), kindName: Type.String(), occurredAt: Type.String({ format: 'date-time', description: 'Asia/Shanghai local time with its offset (+08:00): the date is the batch code\'s' }),
  labelId: Type.String(), digitalCode: Type.String(), wasteCode: Type.String(), wasteName: Type.String(), category: Type.String(),
  physicalForm: Type.String(), quantityKg: Type.Number(), facilityCode: Type.Union([Type.String(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]), counterpartyName: Type.Union([Type.String(), Type.Null()]),
  manifestNumber: Type.Union([Type.String(), Type.Null()]),
  operatorClientId: Type.String({ description: 'The client that recorded it' }),
  handledBy: Type.Union([Type.Object({ name: Type.String(), idNumber: Type.Union([Type.String(), Type.Null()]) }), Type.Null()], { description: '经办人, when the client named one' }),
  packagingType: Type.Union([Type.String(), Type.Null()], { description: '容器/包装类型; null on records written before it was kept' }),
  containerCount: Type.Integer({ description: '容器/包装数量: a record is one container' }),
  destination: Type.Union([Type.String(), Type.Null()], { description: '去向 of a generation record: storage | own_utilisation | own_disposal | contracted' }),
  destinationName: Type.Union([Type.String(), Type.Null()]),
  correction: Type.Union([Type.Object({
    kind: Type.String({ description: 'reversal (the corrected record negated), replacement (its corrected values) or addition (a 入库 of a container the correction accepts; correctsBatchCode null)' }),
    correctsBatchCode: Type.Union([Type.String(), Type.Null()]), revisionId: Type.Union([Type.String(), Type.Null()]),
  }), Type.Null()], { description: 'Set on the records an approved manifest revision wrote (docs/regulations.md#manifest-corrections)' }),
});

const viewOf = (ctx: AppContext, l: LabelRow) => labelView(l, ctx.config.publicBaseUrl);

export const labelRoutes: RouteModule = (app, ctx) => {
  const settings = { occurredAtWindowDays: ctx.config.occurredAtWindowDays };

  app.post('/api/v1/labels', {
    schema: {
      operationId: 'issueLabel', tags: ['labels'], summary: 'Issue an HJ 1276 label with its digital code and signed QR',
      body: IssueLabelBody, response: responses({ 201: LabelSchema }, 401, 403, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const [l] = await issueLabels(cmd, ctx.keys, [request.body]);
    return { status: 201, body: viewOf(ctx, l), headers: { etag: etag(l.version) } };
  }));

  app.post('/api/v1/labels/batch', {
    schema: {
      operationId: 'issueLabelBatch', tags: ['labels'], summary: 'Issue up to 500 labels, all or nothing',
      body: IssueBatchBody,
      response: responses({ 201: Type.Object({ items: Type.Array(LabelSchema) }) }, 401, 403, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const created = await issueLabels(cmd, ctx.keys, request.body.items);
    return { status: 201, body: { items: created.map((l) => viewOf(ctx, l)) } };
  }));

  app.get('/api/v1/labels', {
    schema: {
      operationId: 'listLabels', tags: ['labels'],
      summary: 'Labels the caller generated or holds (a regulator: its jurisdiction)',
      querystring: Type.Object({
        state: Type.Optional(OneOf(LABEL_STATES)),
        wasteCode: Type.Optional(Type.String({ maxLength: 10 })),
        limit: Limit, cursor: Cursor,
      }),
      response: responses({ 200: Page(LabelSchema) }, 401),
    },
  }, async (request) => {
    const { items, nextCursor } = await listLabels(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 });
    return { items: items.map((l) => viewOf(ctx, l)), nextCursor };
  });

  app.get('/api/v1/labels/:id', {
    schema: { operationId: 'getLabel', tags: ['labels'], summary: 'One label', params: IdParams, response: responses({ 200: LabelSchema }, 401, 404) },
  }, async (request, reply) => {
    const l = await loadVisibleLabel(ctx.db, request.caller, request.params.id);
    reply.header('etag', etag(l.version));
    return viewOf(ctx, l);
  });

  app.get('/api/v1/labels/:id/qr', {
    schema: {
      operationId: 'getLabelQr', tags: ['labels'], summary: 'The QR code alone, as PNG or SVG',
      params: IdParams,
      querystring: Type.Object({ format: Type.Optional(OneOf(['png', 'svg'])), size: Type.Optional(Type.Integer({ minimum: 64, maximum: 2048 })) }),
      response: responses({ 200: Type.String({ description: 'image/png or image/svg+xml' }) }, 401, 404),
    },
  }, async (request, reply) => {
    const l = await loadVisibleLabel(ctx.db, request.caller, request.params.id);
    const content = qrUrl(ctx.config.publicBaseUrl, l.qrToken);
    if (request.query.format === 'svg') {
      return reply.type('image/svg+xml').send(await QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    }
    return reply.type('image/png').send(await QRCode.toBuffer(content, { errorCorrectionLevel: 'M', margin: 2, width: request.query.size ?? 512 }));
  });

  app.get('/api/v1/labels/:id/print', {
    schema: {
      operationId: 'printLabel', tags: ['labels'],
      summary: 'The whole printable label (HJ 1276, or HJ 421 for medical waste): SVG, or PDF for label printers',
      description: 'SVG by default. PDF with `format=pdf` or `Accept: application/pdf`: one label per page, the page the label\'s size, '
        + 'the QR\'s modules a whole number of printer dots at `dpi` (default 203); a container over 450 L gets two pages, one for each '
        + 'opposite side. Either is `size` mm square: by container volume by default, never below it.',
      params: IdParams,
      querystring: Type.Object({
        format: Type.Optional(OneOf(['svg', 'pdf'])),
        size: Type.Optional(Type.Integer({ enum: [...LABEL_SIZES], description: 'Label width in mm (100, 150, 200); at least the size the container volume needs' })),
        dpi: Type.Optional(Type.Integer({ enum: [...PRINTER_DPIS], description: 'The label printer\'s resolution (203 or 300 dots per inch)' })),
      }),
      response: responses({
        200: { description: 'The label as image/svg+xml, or application/pdf', content: { 'image/svg+xml': { schema: Type.String() }, ...pdfContent } },
      }, 401, 404),
    },
  }, async (request, reply) => {
    const { format, size, dpi } = request.query;
    varyOnAccept(reply);
    const pdf = wantsPdf(request, format, 'image/svg+xml');
    const l = await loadVisibleLabel(ctx.db, request.caller, request.params.id);
    const needed = labelSizeMm(l.volumeL);
    if (size !== undefined && size < needed) {
      throw invalid(`A container of ${l.volumeL} L needs a label of at least ${needed} mm (docs/regulations.md#label-size)`, [{ path: 'querystring.size', message: `must be at least ${needed}` }]);
    }
    const [g] = await ctx.db.select().from(organisations).where(eq(organisations.id, l.generatorId));
    const printable = {
      label: l,
      generator: { name: g.name, contactName: g.contactName, contactPhone: g.contactPhone },
      qrContent: qrUrl(ctx.config.publicBaseUrl, l.qrToken),
      size: size as LabelSize | undefined,
    };
    if (pdf) {
      const doc = await labelsPdf([printable], (dpi ?? 203) as PrinterDpi);
      return sendPdf(reply, doc, `label-${l.digitalCode}.pdf`);
    }
    return reply.type('image/svg+xml').send(await renderLabelSvg(printable));
  });

  app.post('/api/v1/labels/:id/actions', {
    schema: {
      operationId: 'actOnLabel', tags: ['labels'], summary: 'A custody step: store, treat, consolidate, return or void',
      params: IdParams, body: LabelActionBody,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String()), 'idempotency-key': Type.Optional(Type.String()) }),
      response: responses({ 200: LabelSchema }, 401, 403, 404, 409, 412, 422),
    },
  }, (request, reply) => {
    const { body, params: { id } } = request;
    const respond = (l: LabelRow) => ({ status: 200, body: viewOf(ctx, l), headers: { etag: etag(l.version) } });
    return isOneStatementAction(body.action)
      ? runOneStatementCommand(ctx, request, reply, (cmd) => attemptLabelAction(cmd, settings, id, body, ifMatchVersion(request), respond))
      : runCommand(ctx, request, reply, async (cmd) => respond(await performLabelAction(cmd, settings, id, body, ifMatchVersion(request), ctx.afterLabelStep)));
  });

  app.get('/api/v1/labels/:id/trace', {
    schema: {
      operationId: 'traceLabel', tags: ['labels'], summary: 'Every step of the container in order, through consolidation both ways',
      params: IdParams,
      response: responses({
        200: Type.Object({
          label: LabelSchema, steps: Type.Array(StepSchema), manifests: Type.Array(TracedManifest),
          parent: Type.Union([LabelRef, Type.Null()]), ancestors: Type.Array(LabelRef), children: Type.Array(LabelRef),
        }),
      }, 401, 404),
    },
  }, async (request) => {
    const l = await loadVisibleLabel(ctx.db, request.caller, request.params.id);
    const now = new Date();
    const { routeParts, approvedRoutes, ...trace } = await labelTrace(ctx.db, l, ctx.config.tracks.timeMarginMinutes, now);
    const routes = routesFromParts(routeParts, approvedRoutes, ctx.config.tracks, now);
    return { label: viewOf(ctx, l), ...trace, manifests: trace.manifests.map((m) => ({ ...m, route: routeGeoJson(routes.get(m.id)!) })) };
  });

  app.get('/api/v1/orgs/:id/ledger', {
    schema: {
      operationId: 'getLedger', tags: ['labels'], summary: 'The HJ 1259 management ledger of an organisation (JSON or CSV)',
      params: IdParams,
      querystring: Type.Object({
        from: Type.Optional(DateString), to: Type.Optional(DateString),
        format: Type.Optional(OneOf(['json', 'csv'])),
      }),
      response: responses({ 200: Type.Object({ items: Type.Array(LedgerRecord) }) }, 401, 404),
    },
  }, async (request, reply) => {
    const org = await loadManagedOrg(ctx.db, request.caller, request.params.id);
    const { from, to } = request.query;
    if (request.query.format === 'csv') {
      const body = ledgerCsv((cursor) => readLedgerPage(ctx.db, org.id, from, to, EXPORT_PAGE, cursor));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ledger-${org.uscc}.csv"`).send(body);
    }
    return { items: (await readLedger(ctx.db, org.id, from, to)).map(ledgerView) };
  });
};
