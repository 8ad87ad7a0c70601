import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { responses } from '../http/schemas.js';
import { notFound } from '../core/errors.js';
import {
  HAZARDS, WASTE_CODE_PATTERN, currentEdition, findWasteCode, isEdition, listCategories, listEditions, listWasteCodes,
  requiresIdentificationReport,
} from './catalog.js';
import { METHODS } from './treatment-methods.js';

export const WasteCodeSchema = Type.Object({
  code: Type.String(),
  category: Type.String(),
  categoryName: Type.String(),
  industry: Type.String(),
  description: Type.String(),
  hazards: Type.Array(Type.Union(HAZARDS.map((h) => Type.Literal(h)))),
  edition: Type.String({ description: 'The 国家危险废物名录 edition this row comes from' }),
  identificationReportRequired: Type.Boolean({ description: '900-000-XX: a label with this code must name its 危险废物鉴别 report (identificationReportNo)' }),
});

const EditionSchema = Type.Object({
  edition: Type.String(),
  name: Type.String(),
  effectiveFrom: Type.String({ format: 'date' }),
  source: Type.String({ description: 'The order that issued it' }),
  codeCount: Type.Integer(),
  inForce: Type.Boolean({ description: 'The loaded edition that applies today' }),
});

const EditionQuery = Type.Optional(Type.String({
  pattern: '^\\d{4}$', description: 'A catalogue edition (GET /api/v1/catalog/editions); the one in force today by default',
}));

/** 404 for an edition that is not loaded, before any lookup. */
function checkEdition(edition: string | undefined): void {
  if (edition !== undefined && !isEdition(edition)) throw notFound(`Catalogue edition ${edition}`);
}

const withReportFlag = <T extends { code: string }>(c: T) => ({ ...c, identificationReportRequired: requiresIdentificationReport(c.code) });

const MethodSchema = Type.Object({
  code: Type.String(),
  kind: Type.Union([Type.Literal('utilisation'), Type.Literal('disposal')]),
  name: Type.String({ description: 'The Chinese name as the national picklists give it' }),
  nameEn: Type.String({ description: 'Our translation' }),
});

const CategorySchema = Type.Object({ category: Type.String(), name: Type.String(), codeCount: Type.Integer() });

export const catalogRoutes: RouteModule = (app) => {
  app.get('/api/v1/catalog/waste-codes', {
    schema: {
      operationId: 'listWasteCodes',
      tags: ['catalog'],
      summary: 'Search the National Hazardous Waste List',
      querystring: Type.Object({
        category: Type.Optional(Type.String({ pattern: '^HW\\d{2}$' })),
        q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Matches the code or the Chinese description' })),
        edition: EditionQuery,
      }),
      response: responses({ 200: Type.Object({ items: Type.Array(WasteCodeSchema), total: Type.Integer() }) }, 401, 404),
    },
  }, async (request) => {
    checkEdition(request.query.edition);
    const items = listWasteCodes(request.query).map(withReportFlag);
    return { items, total: items.length };
  });

  app.get('/api/v1/catalog/waste-codes/:code', {
    schema: {
      operationId: 'getWasteCode',
      tags: ['catalog'],
      summary: 'One waste code (also 900-000-XX, identified by testing)',
      params: Type.Object({ code: Type.String({ pattern: WASTE_CODE_PATTERN, description: 'NNN-NNN-NN' }) }),
      querystring: Type.Object({ edition: EditionQuery }),
      response: responses({ 200: WasteCodeSchema }, 401, 404),
    },
  }, async (request) => {
    checkEdition(request.query.edition);
    const found = findWasteCode(request.params.code, request.query.edition);
    if (!found) throw notFound(`Waste code ${request.params.code}`);
    return withReportFlag(found);
  });

  app.get('/api/v1/catalog/editions', {
    schema: {
      operationId: 'listCatalogueEditions',
      tags: ['catalog'],
      summary: 'The editions of the National Hazardous Waste List loaded, with the day each applies from',
      response: responses({ 200: Type.Object({ items: Type.Array(EditionSchema) }) }, 401),
    },
  }, async () => {
    const today = currentEdition();
    return { items: listEditions().map((e) => ({ ...e, inForce: e.edition === today })) };
  });

  app.get('/api/v1/catalog/methods', {
    schema: {
      operationId: 'listTreatmentMethods',
      tags: ['catalog'],
      summary: 'The utilisation and disposal method codes (利用/处置方式代码) that treat steps, facilities and manifests take',
      response: responses({ 200: Type.Object({ items: Type.Array(MethodSchema) }) }, 401),
    },
  }, async () => ({ items: METHODS }));

  app.get('/api/v1/catalog/categories', {
    schema: {
      operationId: 'listWasteCategories',
      tags: ['catalog'],
      summary: 'The 46 categories HW01–HW50',
      querystring: Type.Object({ edition: EditionQuery }),
      response: responses({ 200: Type.Object({ items: Type.Array(CategorySchema) }) }, 401, 404),
    },
  }, async (request) => {
    checkEdition(request.query.edition);
    return { items: listCategories(request.query.edition) };
  });
};
