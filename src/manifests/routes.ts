import { and, asc, eq, inArray, or, sql, like, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { manifestSettings } from './manifest-settings.js';
import { labelSteps, manifestCarriers, manifests, manifestSteps } from '../db/schema.js';
import { etag, ifMatchVersion, runCommand } from '../http/command.js';
import { listManifests } from './queries.js';
import { notFound } from '../core/errors.js';
import { Cursor, IdParams, Limit, Page, responses, OneOf, DateTime } from '../http/schemas.js';
import { isRegulator, type Caller } from '../auth/roles.js';
import { Location, OccurredAt } from '../labels/schemas.js';
import { createDraft, updateDraft } from './drafts.js';
import { ActionBody, ManifestPatch, NewManifest } from './schemas.js';
import { allowedManifestActions, performManifestAction } from './actions.js';
import { CLIENT_MANIFEST_ACTIONS, MANIFEST_STATES } from './manifest-lifecycle.js';
import { loadManifestPartsOf, loadVisibleManifest, ManifestSchema, manifestView, type LoadedManifest } from './manifest-view.js';
import { MANIFEST_NUMBER_PATTERN } from './manifest-number.js';
import { routeOf } from '../tracks/read-track.js';
import { routeGeoJson, RouteSchema } from '../tracks/route-geojson.js';
import { readPrintableManifest } from './manifest-print.js';
import { manifestPdf } from './manifest-pdf.js';
import { pdfContent, sendPdf, varyOnAccept, wantsPdf } from '../documents/pdf-reply.js';

const ManifestWithActions = Type.Object({ ...ManifestSchema.properties, allowedActions: Type.Array(Type.String()) });

const TraceSchema = Type.Object({
  manifest: ManifestSchema,
  steps: Type.Array(Type.Object({
    action: Type.String(), fromState: Type.Union([Type.String(), Type.Null()]), toState: Type.String(),
    orgId: Type.String(), clientId: Type.String(), occurredAt: Type.String({ format: 'date-time' }),
    recordedAt: Type.String({ format: 'date-time' }), details: Type.Record(Type.String(), Type.Unknown()),
    labels: Type.Array(Type.Object({ labelId: Type.String(), action: Type.String(), toState: Type.String() })),
  })),
  route: RouteSchema,
});

export const manifestRoutes: RouteModule = (app, ctx) => {
  const settings = manifestSettings(ctx);
  const withActions = (caller: Caller, loaded: LoadedManifest) => ({ ...manifestView(loaded), allowedActions: allowedManifestActions(caller, loaded) });

  app.post('/api/v1/manifests', {
    schema: {
      operationId: 'createManifest', tags: ['manifests'], summary: 'Draft a transfer manifest (转移联单)',
      body: NewManifest, response: responses({ 201: ManifestWithActions }, 401, 403, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const loaded = await createDraft(cmd, request.body);
    return { status: 201, body: withActions(request.caller, loaded), headers: { etag: etag(loaded.m.version) } };
  }));

  app.patch('/api/v1/manifests/:id', {
    schema: {
      operationId: 'updateManifest', tags: ['manifests'], summary: 'Edit a draft (generator)',
      params: IdParams, body: ManifestPatch, response: responses({ 200: ManifestWithActions }, 401, 403, 404, 409, 412, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const loaded = await updateDraft(cmd, request.params.id, request.body, ifMatchVersion(request));
    return { status: 200, body: withActions(request.caller, loaded), headers: { etag: etag(loaded.m.version) } };
  }));

  app.post('/api/v1/manifests/:id/actions', {
    schema: {
      operationId: 'actOnManifest', tags: ['manifests'], summary: 'submit, cancel, pickup, handover, deliver or receive',
      params: IdParams, body: ActionBody, response: responses({ 200: ManifestWithActions }, 401, 403, 404, 409, 412, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const loaded = await performManifestAction(cmd, settings, request.params.id, request.body, ifMatchVersion(request));
    return { status: 200, body: withActions(request.caller, loaded), headers: { etag: etag(loaded.m.version) } };
  }));

  app.get('/api/v1/manifests/:id', {
    schema: {
      operationId: 'getManifest', tags: ['manifests'], summary: 'One manifest (JSON), or printed as the driver carries it (PDF)',
      description: 'JSON by default. With `format=pdf` or `Accept: application/pdf`: the manifest printed on A4 — numbers, parties with USCC, '
        + 'licences and contacts, carriers with vehicles and drivers, waste and containers, each step with its time and who took it, '
        + 'emergency measures, and a QR holding `hw-manifest:{number}:{id}`.',
      params: IdParams, querystring: Type.Object({ format: Type.Optional(OneOf(['json', 'pdf'])) }),
      response: responses({
        200: { description: 'The manifest', content: { 'application/json': { schema: ManifestWithActions }, ...pdfContent } },
      }, 401, 404),
    },
  }, async (request, reply) => {
    varyOnAccept(reply);
    if (wantsPdf(request, request.query.format, 'application/json')) {
      const printable = await readPrintableManifest(ctx.db, request.caller, request.params.id);
      return sendPdf(reply, manifestPdf(printable, new Date()), `manifest-${printable.record.manifestNumber ?? printable.record.manifestId}.pdf`);
    }
    const loaded = await loadVisibleManifest(ctx.db, request.caller, request.params.id);
    reply.header('etag', etag(loaded.m.version));
    return withActions(request.caller, loaded);
  });

  app.get('/api/v1/manifests/by-number/:number', {
    schema: {
      operationId: 'getManifestByNumber', tags: ['manifests'], summary: 'One manifest by its 14-digit number',
      params: Type.Object({ number: Type.String({ pattern: MANIFEST_NUMBER_PATTERN }) }), response: responses({ 200: ManifestWithActions }, 401, 404),
    },
  }, async (request, reply) => {
    const [m] = await ctx.db.select({ id: manifests.id }).from(manifests).where(eq(manifests.number, request.params.number));
    if (!m) throw notFound('Manifest');
    const loaded = await loadVisibleManifest(ctx.db, request.caller, m.id);
    reply.header('etag', etag(loaded.m.version));
    return withActions(request.caller, loaded);
  });

  app.get('/api/v1/manifests', {
    schema: {
      operationId: 'listManifests', tags: ['manifests'], summary: 'Manifests the caller is party to (a regulator: its jurisdiction)',
      querystring: Type.Object({ state: Type.Optional(OneOf(MANIFEST_STATES)), limit: Limit, cursor: Cursor }),
      response: responses({ 200: Page(ManifestWithActions) }, 401),
    },
  }, async (request) => {
    const { items, nextCursor } = await listManifests(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 });
    return { items: items.map((loaded) => withActions(request.caller, loaded)), nextCursor };
  });

  app.get('/api/v1/manifests/:id/trace', {
    schema: {
      operationId: 'traceManifest', tags: ['manifests'], summary: 'Every step of the manifest with the containers it moved',
      params: IdParams, response: responses({ 200: TraceSchema }, 401, 404),
    },
  }, async (request) => {
    // The steps are read alongside the manifest (the id is the URL's), and shown only once it is visible.
    const { id } = request.params;
    const [loaded, steps, moved] = await Promise.all([
      loadVisibleManifest(ctx.db, request.caller, id),
      ctx.db.select().from(manifestSteps).where(eq(manifestSteps.manifestId, id)).orderBy(asc(manifestSteps.id)),
      ctx.db.select().from(labelSteps).where(eq(labelSteps.manifestId, id)).orderBy(asc(labelSteps.id)),
    ]);
    const route = await routeOf(ctx.db, loaded, ctx.config.tracks);
    return {
      manifest: manifestView(loaded),
      route: routeGeoJson(route),
      steps: steps.map((s) => ({
        action: s.action, fromState: s.fromState, toState: s.toState, orgId: s.orgId, clientId: s.clientId,
        occurredAt: s.occurredAt.toISOString(), recordedAt: s.recordedAt.toISOString(), details: s.details as Record<string, unknown>,
        labels: moved.filter((l) => l.requestId === s.requestId).map((l) => ({ labelId: l.labelId, action: l.action, toState: l.toState })),
      })),
    };
  });
};
