import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { responses } from '../http/schemas.js';
import { notFound } from '../core/errors.js';
import { HAZARDS, WASTE_CODE_PATTERN, findWasteCode, listCategories, listWasteCodes } from './catalog.js';
import { METHODS } from './treatment-methods.js';

export const WasteCodeSchema = Type.Object({
  code: Type.String(),
  category: Type.String(),
  categoryName: Type.String(),
  industry: Type.String(),
  description: Type.String(),
  hazards: Type.Array(Type.Union(HAZARDS.map((h) => Type.Literal(h)))),
});

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
      }),
      response: responses({ 200: Type.Object({ items: Type.Array(WasteCodeSchema), total: Type.Integer() }) }, 401),
    },
  }, async (request) => {
    const items = listWasteCodes(request.query);
    return { items, total: items.length };
  });

  app.get('/api/v1/catalog/waste-codes/:code', {
    schema: {
      operationId: 'getWasteCode',
      tags: ['catalog'],
      summary: 'One waste code (also 900-000-XX, identified by testing)',
      params: Type.Object({ code: Type.String({ pattern: WASTE_CODE_PATTERN, description: 'NNN-NNN-NN' }) }),
      response: responses({ 200: WasteCodeSchema }, 401, 404),
    },
  }, async (request) => {
    const found = findWasteCode(request.params.code);
    if (!found) throw notFound(`Waste code ${request.params.code}`);
    return found;
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
      response: responses({ 200: Type.Object({ items: Type.Array(CategorySchema) }) }, 401),
    },
  }, async () => ({ items: listCategories() }));
};
