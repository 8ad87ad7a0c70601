// GET /v/{token}: what any phone camera opens from the QR. No login; rate-limited; never shows
// phone numbers or client details.
import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { labels, manifests, organisations } from '../db/schema.js';
import { AppError } from '../core/errors.js';
import { responses } from '../http/schemas.js';
import { toProblem, sendProblem } from '../http/error-handler.js';
import { findCategory } from '../catalog/catalog.js';
import { namesLabel, verifyLabelToken } from './qr-token.js';
import { renderVerifyPage, type PublicVerification } from './verify-page.js';

const PublicLabel = Type.Object({
  genuine: Type.Literal(true),
  label: Type.Object({
    digitalCode: Type.String(), wasteCode: Type.String(), wasteName: Type.String(), category: Type.String(),
    categoryName: Type.String(), hazards: Type.Array(Type.String()), physicalForm: Type.String(),
    generatingUnit: Type.String(), state: Type.String(), manifestNumber: Type.Union([Type.String(), Type.Null()]),
    generatedOn: Type.String(),
  }),
});

export const publicLabelRoutes: RouteModule = (app, ctx) => {
  app.get('/v/:token', {
    schema: {
      operationId: 'verifyLabelPublicly', tags: ['public'], security: [],
      summary: 'Public label verification: HTML for browsers, JSON for Accept: application/json',
      params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) }),
      response: responses({ 200: PublicLabel }, 422, 429),
    },
    config: { rateLimit: { max: ctx.config.verifyRateLimitPerMinute, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const wantsJson = (request.headers.accept ?? '').includes('application/json');
    let page: PublicVerification;
    try {
      const claims = await verifyLabelToken(ctx.keys, request.params.token);
      const [row] = await ctx.db
        .select({ l: labels, generatorName: organisations.name, manifestNumber: manifests.number })
        .from(labels)
        .innerJoin(organisations, eq(organisations.id, labels.generatorId))
        .leftJoin(manifests, eq(manifests.id, labels.openManifestId))
        .where(eq(labels.id, claims.lid));
      if (!row || !namesLabel(claims, row.l)) throw new AppError('QR_INVALID', 'The QR names a label this platform does not hold');
      const l = row.l;
      page = {
        genuine: true,
        label: {
          digitalCode: l.digitalCode, wasteCode: l.wasteCode, wasteName: l.wasteName, category: l.category,
          categoryName: findCategory(l.category)?.name ?? '', hazards: l.hazards, physicalForm: l.physicalForm,
          generatingUnit: row.generatorName, state: l.state,
          manifestNumber: l.state === 'in_transit' ? row.manifestNumber : null, generatedOn: l.generatedOn,
        },
      };
    } catch (e) {
      const problem = toProblem(e);
      if (problem.code !== 'QR_INVALID') throw e;
      if (wantsJson) return sendProblem(reply, problem.code, problem.detail);
      return reply.code(422).type('text/html; charset=utf-8').serializer((x) => String(x))
        .send(renderVerifyPage({ genuine: false, reason: problem.detail }));
    }
    reply.header('cache-control', 'no-store');
    if (wantsJson) return page;
    return reply.type('text/html; charset=utf-8').serializer((x) => String(x)).send(renderVerifyPage(page));
  });
};
