// Management plans (管理计划) and declarations (申报) of a site, and the regulators' lists of them
// (HJ 1259-2022 §5, §7; docs/regulations.md#management-plans, #declarations).
import { Type, type TSchema } from 'typebox';
import type { FastifyReply } from 'fastify';
import type { RouteModule } from '../../context.js';
import { runCommand } from '../../http/command.js';
import { notFound } from '../../core/errors.js';
import { requireOrgRole } from '../../auth/roles.js';
import { OneOf, responses, Uuid } from '../../http/schemas.js';
import { effectivePrefix } from '../jurisdiction.js';
import { listSubmittedPlans, readPlan, savePlan, submitPlan } from './management-plans.js';
import { draftDeclaration, listSubmittedDeclarations, readDeclaration, submitDeclaration } from './declarations.js';
import { FLOWS } from './balance.js';
import { PERIOD_KINDS, PERIOD_PATTERN } from './periods.js';
import { PLAN_TABLES } from './plan-draft.js';
import { pdfContent, sendPdf, varyOnAccept, wantsPdf } from '../../documents/pdf-reply.js';
import { readableSite } from './site-access.js';
import { planPdf } from './plan-pdf.js';
import { declarationPdf, type DeclarationView } from './declaration-pdf.js';

const NS = Type.Union([Type.String(), Type.Null()]);
const SiteParams = Type.Object({ id: Uuid, siteId: Uuid });
const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'The year the plan covers' });
const YearQuery = Type.Object({ year: Year });
const Tonnes = Type.Number({ minimum: 0, maximum: 1e9, description: 'tonnes' });
const WasteCode = Type.String({ pattern: '^\\d{3}-\\d{3}-\\d{2}$' });
const Period = Type.String({ pattern: PERIOD_PATTERN, description: '2026-10 (month), 2026-Q3 (quarter) or 2026 (year)' });
const Text = (maxLength: number) => Type.String({ maxLength });
const Reason = Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Why the submitted version changes (required for a new version)' });
const ClassName = OneOf(['key', 'simplified', 'registration']);
const SubmitBody = Type.Object({
  submittedAt: Type.Optional(Type.String({
    format: 'date-time', description: 'When the unit filed it, for a filing entered later (within OCCURRED_AT_WINDOW_DAYS, not in the future); default now',
  })),
}, { additionalProperties: false });

const PlanEdits = Type.Object({
  waste: Type.Optional(Type.Array(Type.Object({
    wasteCode: WasteCode,
    expectedGeneratedT: Type.Optional(Tonnes),
    expectedYearEndStockT: Type.Optional(Tonnes),
    expectedReductionT: Type.Optional(Tonnes),
  }, { additionalProperties: false }), { maxItems: 500 })),
  inHouse: Type.Optional(Type.Array(Type.Object({ wasteCode: WasteCode, method: Type.String({ minLength: 1, maxLength: 10 }), expectedT: Tonnes }, { additionalProperties: false }), { maxItems: 500 })),
  transfers: Type.Optional(Type.Array(Type.Object({
    wasteCode: WasteCode, receiverName: Type.String({ minLength: 1, maxLength: 200 }), method: Type.Optional(Type.String({ minLength: 1, maxLength: 10 })), expectedT: Tonnes,
  }, { additionalProperties: false }), { maxItems: 500 })),
  reductionPlan: Type.Optional(Text(10_000)),
  measures: Type.Optional(Text(10_000)),
}, { additionalProperties: false });

const VersionItem = Type.Object({ version: Type.Integer(), state: Type.String(), submittedAt: NS, changeReason: NS });

const Plan = Type.Object({
  id: NS, version: Type.Integer(), state: OneOf(['draft', 'submitted']), saved: Type.Boolean(), changeReason: NS,
  dueOn: Type.String({ format: 'date' }), submittedAt: NS, submissionRecordedAt: NS, submittedLate: Type.Union([Type.Boolean(), Type.Null()]),
  edits: Type.Record(Type.String(), Type.Unknown()),
  year: Type.Integer(), siteId: Type.String(), orgId: Type.String(),
  basedOn: Type.Object({ from: Type.String(), to: Type.String() }),
  managementClass: ClassName, managementClassReason: Type.String(),
  requiredTables: Type.Array(OneOf(PLAN_TABLES)),
  tables: Type.Record(Type.String(), Type.Unknown(), { description: 'Tables A.1–A.7 of HJ 1259-2022 appendix A that the class fills; quantities in tonnes' }),
  versions: Type.Array(VersionItem),
});

const BalanceRow = Type.Object({
  wasteCode: Type.String(), wasteName: Type.String(), category: Type.String(), physicalForm: Type.String(), unit: Type.Literal('t'),
  openingStockT: Type.Number(), generatedT: Type.Number(), receivedT: Type.Number(), transferredOutT: Type.Number(),
  utilisedInHouseT: Type.Number(), disposedInHouseT: Type.Number(), closingStockT: Type.Number(),
  batchCodes: Type.Object(Object.fromEntries(FLOWS.map((f) => [f, Type.Array(Type.String())]))),
  storageFacilityCodes: Type.Array(Type.String()),
  inHouse: Type.Array(Type.Object({ kind: Type.String(), method: NS, facilityCode: NS, quantityT: Type.Number() })),
  transfers: Type.Array(Type.Object({
    receiverId: NS, receiverName: Type.String(), licenceNumber: NS, method: NS, transferType: Type.Union([OneOf(['in_province', 'cross_province']), Type.Null()]),
    quantityT: Type.Number(), manifestNumbers: Type.Array(Type.String()),
  })),
});

const DeclarationVersion = Type.Object({ id: Type.String(), version: Type.Integer(), submittedAt: Type.String(), changeReason: NS });
const figureFields = {
  orgId: Type.String(), siteId: Type.String(), period: Type.String(), periodKind: OneOf(PERIOD_KINDS), from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }),
  dueOn: Type.String({ format: 'date' }), managementClass: ClassName, managementClassReason: Type.String(),
  required: Type.Boolean({ description: 'The class declares periods of this kind (HJ 1259-2022 §7.2)' }), unit: Type.Literal('t'),
  rows: Type.Array(BalanceRow), versions: Type.Array(DeclarationVersion),
};
const DeclarationDraft = Type.Object({ state: Type.Literal('draft'), ended: Type.Boolean(), ...figureFields });
const Declaration = Type.Object({
  id: Type.String(), state: Type.Literal('submitted'), version: Type.Integer(), changeReason: NS, submittedAt: Type.String(), recordedAt: Type.String(),
  submittedLate: Type.Boolean(),
  ...figureFields,
});

const Format = { format: Type.Optional(OneOf(['json', 'pdf'])) };
const PDF_NOTE = 'JSON by default; with `format=pdf` or `Accept: application/pdf`, printed on A4 (a draft marked as such).';
const jsonOrPdf = <T extends TSchema>(description: string, schema: T) =>
  ({ description, content: { 'application/json': { schema }, ...pdfContent } });

const RegionQuery = { regionCode: Type.Optional(Type.String({ pattern: '^\\d{2,6}$' })) };

export const filingRoutes: RouteModule = (app, ctx) => {
  const planPath = '/api/v1/orgs/:id/sites/:siteId/management-plan';
  app.get(planPath, {
    schema: {
      operationId: 'getManagementPlan', tags: ['filings'],
      summary: 'The site\'s management plan for a year (管理计划, HJ 1259-2022 §5): the submitted version, or the draft from last year\'s records with the unit\'s edits',
      description: `${PDF_NOTE} The PDF shows the tables A.1–A.7 the class fills, the class and its reason, version, state and submission time.`,
      params: SiteParams, querystring: Type.Object({ year: Year, ...Format }),
      response: responses({ 200: jsonOrPdf('The plan', Plan) }, 400, 401, 404),
    },
  }, async (request, reply) => {
    varyOnAccept(reply);
    const { id, siteId } = request.params;
    const plan = await readPlan(ctx.db, request.caller, id, siteId, request.query.year);
    if (!wantsPdf(request, request.query.format, 'application/json')) return plan;
    const { org, site } = await readableSite(ctx.db, request.caller, id, siteId);
    return sendPdf(reply, planPdf(plan, org, site, new Date()), `management-plan-${plan.year}-v${plan.version}${plan.state === 'submitted' ? '' : '-draft'}.pdf`);
  });

  app.put(planPath, {
    schema: {
      operationId: 'saveManagementPlan', tags: ['filings'],
      summary: 'Save the forward-looking parts (expected quantities, A.6 reduction plan and measures); after a submission this opens a new version and needs changeReason',
      params: SiteParams, querystring: YearQuery,
      body: Type.Object({ ...PlanEdits.properties, changeReason: Type.Optional(Reason) }, { additionalProperties: false }),
      response: responses({ 200: Plan }, 400, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 200, body: await savePlan(cmd, request.params.id, request.params.siteId, request.query.year, request.body),
  })));

  app.post(`${planPath}/submit`, {
    schema: {
      operationId: 'submitManagementPlan', tags: ['filings'],
      summary: 'Submit the plan\'s latest version; it is locked with its figures as drafted now',
      params: SiteParams, querystring: YearQuery, body: SubmitBody,
      response: responses({ 200: Plan }, 400, 401, 403, 404, 409),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 200,
    body: await submitPlan(cmd, request.params.id, request.params.siteId, request.query.year, request.body, ctx.config.occurredAtWindowDays),
  })));

  const declPath = '/api/v1/orgs/:id/sites/:siteId/declarations';
  app.get(`${declPath}/draft`, {
    schema: {
      operationId: 'draftDeclaration', tags: ['filings'],
      summary: 'The declaration of a period (申报, HJ 1259-2022 §7) drafted from the ledger: per waste code opening stock, flows with their batch codes, closing stock',
      description: `${PDF_NOTE} The PDF shows per waste code the figures, opening and closing stock, in-house treatment and receivers.`,
      params: SiteParams, querystring: Type.Object({ period: Period, ...Format }),
      response: responses({ 200: jsonOrPdf('The draft', DeclarationDraft) }, 400, 401, 404),
    },
  }, async (request, reply) => {
    varyOnAccept(reply);
    const { id, siteId } = request.params;
    const draft = await draftDeclaration(ctx.db, request.caller, id, siteId, request.query.period);
    if (!wantsPdf(request, request.query.format, 'application/json')) return draft;
    return sendDeclarationPdf(reply, draft, await readableSite(ctx.db, request.caller, id, siteId));
  });

  app.post(declPath, {
    schema: {
      operationId: 'submitDeclaration', tags: ['filings'],
      summary: 'Submit (lock) a period\'s declaration as drafted now; a period already declared takes a correction (a new version) with changeReason',
      params: SiteParams,
      body: Type.Object({ period: Period, changeReason: Type.Optional(Reason), ...SubmitBody.properties }, { additionalProperties: false }),
      response: responses({ 201: Declaration }, 400, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await submitDeclaration(cmd, request.params.id, request.params.siteId, request.body, ctx.config.occurredAtWindowDays),
  })));

  app.get(`${declPath}/:period`, {
    schema: {
      operationId: 'getDeclaration', tags: ['filings'], summary: 'The latest submitted version of a period\'s declaration',
      description: `${PDF_NOTE} The PDF shows per waste code the figures, opening and closing stock, in-house treatment and receivers.`,
      params: Type.Object({ id: Uuid, siteId: Uuid, period: Period }), querystring: Type.Object(Format),
      response: responses({ 200: jsonOrPdf('The declaration', Declaration) }, 400, 401, 404),
    },
  }, async (request, reply) => {
    varyOnAccept(reply);
    const { id, siteId } = request.params;
    const d = await readDeclaration(ctx.db, request.caller, id, siteId, request.params.period);
    if (!d) throw notFound('Declaration');
    if (!wantsPdf(request, request.query.format, 'application/json')) return d;
    return sendDeclarationPdf(reply, d, await readableSite(ctx.db, request.caller, id, siteId));
  });

  app.get('/api/v1/supervision/management-plans', {
    schema: {
      operationId: 'listManagementPlans', tags: ['supervision'], summary: 'Submitted management plans of a year in your jurisdiction (every version)',
      querystring: Type.Object({ year: Year, ...RegionQuery }),
      response: responses({ 200: Type.Object({ items: Type.Array(Type.Object({
        id: Type.String(), orgId: Type.String(), siteId: Type.String(), year: Type.Integer(), version: Type.Integer(), regionCode: Type.String(),
        managementClass: ClassName, changeReason: NS, submittedAt: Type.String(), submittedLate: Type.Boolean(),
      })) }) }, 400, 401, 403, 404),
    },
  }, async (request) => {
    requireOrgRole(request.caller, 'regulator');
    return { items: await listSubmittedPlans(ctx.db, effectivePrefix(request.caller, request.query.regionCode), request.query.year) };
  });

  app.get('/api/v1/supervision/declarations', {
    schema: {
      operationId: 'listDeclarations', tags: ['supervision'], summary: 'Submitted declarations of a period in your jurisdiction (every version)',
      querystring: Type.Object({ period: Period, ...RegionQuery }),
      response: responses({ 200: Type.Object({ items: Type.Array(Type.Object({
        id: Type.String(), orgId: Type.String(), siteId: Type.String(), period: Type.String(), periodKind: OneOf(PERIOD_KINDS), version: Type.Integer(),
        regionCode: Type.String(), dueOn: Type.String({ format: 'date' }), changeReason: NS, submittedAt: Type.String(), submittedLate: Type.Boolean(),
      })) }) }, 400, 401, 403, 404),
    },
  }, async (request) => {
    requireOrgRole(request.caller, 'regulator');
    return { items: await listSubmittedDeclarations(ctx.db, effectivePrefix(request.caller, request.query.regionCode), request.query.period) };
  });
};

function sendDeclarationPdf(reply: FastifyReply, d: DeclarationView, at: Awaited<ReturnType<typeof readableSite>>) {
  const name = `declaration-${d.period}${d.state === 'submitted' ? `-v${d.version}` : '-draft'}.pdf`;
  return sendPdf(reply, declarationPdf(d, at.org, at.site, new Date()), name);
}
