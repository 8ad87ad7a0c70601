// POST /scan: a handset scans a container's QR. The answer joins the label and the open manifest it
// waits on, with what this caller may do to each, so it lives with manifests (which know labels).
import { Type } from 'typebox';
import type { AppContext, RouteModule } from '../context.js';
import { AppError, notFound } from '../core/errors.js';
import { responses } from '../http/schemas.js';
import { allowedDirectActions } from '../labels/actions.js';
import { labelView, LabelSchema, type LabelRow } from '../labels/label-view.js';
import { namesLabel, tokenFromQr, verifyLabelToken } from '../labels/qr-token.js';
import { canSeeLabel, findLabel } from '../labels/visibility.js';
import { allowedManifestActions } from './actions.js';
import { loadVisibleManifest } from './manifest-view.js';

const viewOf = (ctx: AppContext, l: LabelRow) => labelView(l, ctx.config.publicBaseUrl);

export const scanRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/scan', {
    schema: {
      operationId: 'scanLabel', tags: ['labels'], summary: 'Verify a scanned QR and get the label with the actions this caller may take',
      body: Type.Object({ qr: Type.String({ minLength: 1, maxLength: 2000, description: 'The QR content (URL) or the bare token' }) }, { additionalProperties: false }),
      response: responses({
        200: Type.Object({
          label: LabelSchema,
          allowedActions: Type.Array(Type.String(), { description: 'Actions on the label itself' }),
          openManifest: Type.Union([Type.Object({
            id: Type.String(), number: Type.Union([Type.String(), Type.Null()]), state: Type.String(),
            allowedActions: Type.Array(Type.String(), { description: 'What this caller may do on the manifest now, e.g. pickup' }),
          }), Type.Null()]),
        }),
      }, 401, 404, 422),
    },
  }, async (request) => {
    const claims = await verifyLabelToken(ctx.keys, tokenFromQr(request.body.qr));
    const l = await findLabel(ctx.db, claims.lid);
    if (!l || !namesLabel(claims, l)) throw new AppError('QR_INVALID', 'The QR names a label this platform does not hold');
    if (!(await canSeeLabel(ctx.db, request.caller, l))) throw notFound('Label');
    // A driver scanning at pickup needs the manifest the container waits on, and what to do with it.
    const manifest = l.openManifestId
      ? await loadVisibleManifest(ctx.db, request.caller, l.openManifestId).catch((e) => {
        if (e instanceof AppError && e.code === 'NOT_FOUND') return undefined; // not party to it: say nothing
        throw e;
      })
      : undefined;
    return {
      label: viewOf(ctx, l),
      allowedActions: allowedDirectActions(request.caller, l),
      openManifest: manifest
        ? { id: manifest.m.id, number: manifest.m.number, state: manifest.m.state, allowedActions: allowedManifestActions(request.caller, manifest) }
        : null,
    };
  });
};
