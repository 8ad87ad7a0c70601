// Indicators, indicator inputs, capacity and risk routes (regulators).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { DateString, IdParams, responses, OneOf } from '../http/schemas.js';
import { WASTE_CODE_PATTERN } from '../catalog/catalog.js';
import { LICENCE_MODES } from '../parties/licence-rules.js';
import { INDICATOR_INPUT_KEYS, listIndicatorInputs, putIndicatorInput } from './indicator-inputs.js';
import { computeIndicators } from './indicators.js';
import { capacityList } from './capacity.js';
import { orgRisk, RISK_REASON_CODES, RISK_TIERS } from './risk.js';
import { MANAGEMENT_CLASSES } from './management-class.js';

const Id = Type.String({ format: 'uuid' });
const RegionCode = Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code inside your jurisdiction; default: your own region' });
const yearOf = (description: string) => Type.Integer({ minimum: 2000, maximum: 2100, description });
const Year = yearOf('Calendar year (Asia/Shanghai)');

const InputKey = OneOf(INDICATOR_INPUT_KEYS);
const IndicatorInput = Type.Object({
  id: Id,
  year: Type.Integer(),
  regionCode: Type.String(),
  key: Type.String({ description: 'industrial_value_added_10k_cny: industrial value added (工业增加值) in 万元; landfill_baseline_t: the baseline year\'s industrial landfill tonnage, t' }),
  value: Type.Number(),
  enteredBy: Type.String({ description: 'Client that entered the current value' }),
  enteredAt: Type.String({ format: 'date-time' }),
});

const InputValue = Type.Union([Type.Number(), Type.String(), Type.Null()]);
const Indicator = Type.Object({
  row: Type.String({ description: 'Row of the plan\'s indicator table (序号), or "text" for an indicator named only in the text' }),
  name: Type.String(),
  requirement: Type.String({ description: '指标要求' }),
  unit: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()], { description: 'Null when an input is missing or a rate has no records' }),
  baseline: Type.Union([Type.Number(), Type.Null()], { description: '2020 value, when the plan gives one' }),
  target: Type.Number({ description: '2025 target as a number (建立 = 1)' }),
  targetText: Type.String({ description: '2025 target as the plan writes it' }),
  met: Type.Union([Type.Boolean(), Type.Null()]),
  formula: Type.String(),
  inputs: Type.Optional(Type.Record(Type.String(), InputValue, { description: 'The figures the value was computed from' })),
  missing: Type.Optional(Type.Array(Type.String(), { description: 'Input keys not entered, or "no records" for a rate with a zero denominator' })),
});
const Indicators = Type.Object({
  year: Type.Integer(),
  regionCode: Type.String(),
  from: DateString,
  to: DateString,
  items: Type.Array(Indicator),
});

const CapacityItem = Type.Object({
  receiverId: Id,
  receiverName: Type.String(),
  regionCode: Type.String(),
  licenceId: Id,
  licenceNumber: Type.String(),
  modes: Type.Array(Type.String()),
  validTo: DateString,
  annualCapacityKg: Type.Union([Type.Number(), Type.Null()]),
  usedKg: Type.Number({ description: 'Accepted this year on received or completed manifests (all the holder\'s licences)' }),
  remainingKg: Type.Union([Type.Number(), Type.Null()]),
  usedPct: Type.Union([Type.Number(), Type.Null()]),
});
const Capacity = Type.Object({
  wasteCode: Type.String(),
  category: Type.String(),
  asOf: DateString,
  year: Type.Integer(),
  items: Type.Array(CapacityItem),
});

const Risk = Type.Object({
  orgId: Id,
  orgName: Type.String(),
  regionCode: Type.String(),
  asOf: DateString,
  managementClass: OneOf(MANAGEMENT_CLASSES),
  generatedLast12MonthsKg: Type.Number({ description: 'Summed over the sites' }),
  hasOwnTreatmentFacility: Type.Boolean({ description: 'At any site' }),
  holdsOperatingLicence: Type.Boolean({ description: 'A 危险废物经营许可证 (comprehensive or collection) at any site' }),
  sites: Type.Array(Type.Object({
    siteId: Id,
    name: Type.String(),
    regionCode: Type.String(),
    isDefault: Type.Boolean(),
    managementClass: OneOf(MANAGEMENT_CLASSES),
    generatedLast12MonthsKg: Type.Number({ description: 'Labels issued at the site\'s facilities (at the default site: also those issued without a facility)' }),
    hasOwnTreatmentFacility: Type.Boolean(),
    holdsOperatingLicence: Type.Boolean(),
  }), { description: 'HJ 1259-2022 §4.2.1 classes each 生产经营场所; the organisation\'s managementClass is the highest of them' }),
  riskTier: OneOf(RISK_TIERS),
  reasons: Type.Array(Type.Object({
    code: OneOf(RISK_REASON_CODES),
    tier: OneOf(['high', 'medium']),
    detail: Type.String(),
    count: Type.Optional(Type.Integer()),
  })),
});

export const insightRoutes: RouteModule = (app, ctx) => {
  app.put('/api/v1/supervision/indicator-inputs/:year/:key', {
    schema: {
      operationId: 'putIndicatorInput', tags: ['supervision'],
      summary: 'Enter an indicator input the records cannot hold: industrial value added (工业增加值, 万元) or the landfill baseline (t) of a region and year (registrar)',
      params: Type.Object({ year: Year, key: InputKey }),
      body: Type.Object({
        regionCode: Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code inside your jurisdiction' }),
        value: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
      }, { additionalProperties: false }),
      response: responses({ 200: IndicatorInput }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 200, body: await putIndicatorInput(cmd, request.params.year, request.params.key, request.body),
  })));

  app.get('/api/v1/supervision/indicator-inputs', {
    schema: {
      operationId: 'listIndicatorInputs', tags: ['supervision'], summary: 'Indicator inputs entered for the region and the regions below it',
      querystring: Type.Object({ year: Type.Optional(Year), regionCode: Type.Optional(RegionCode) }),
      response: responses({ 200: Type.Object({ items: Type.Array(IndicatorInput) }) }, 401, 403, 404),
    },
  }, (request) => listIndicatorInputs(ctx.db, request.caller, request.query));

  app.get('/api/v1/supervision/indicators', {
    schema: {
      operationId: 'getIndicators', tags: ['supervision'],
      summary: 'The plan\'s indicators for a year and region, computed from the records, with baseline, target and whether met',
      querystring: Type.Object({ year: Type.Optional(yearOf('Calendar year (Asia/Shanghai); default: the current year')), regionCode: Type.Optional(RegionCode) }),
      response: responses({ 200: Indicators }, 401, 403, 404),
    },
  }, (request) => computeIndicators(ctx.db, request.caller, request.query));

  app.get('/api/v1/supervision/capacity', {
    schema: {
      operationId: 'getDisposalCapacity', tags: ['supervision'],
      summary: 'Emergency disposal resource list (应急处置资源清单): licences in force covering a waste code, with capacity used and remaining this year',
      querystring: Type.Object({
        wasteCode: Type.String({ pattern: WASTE_CODE_PATTERN, description: 'NNN-NNN-NN' }),
        regionCode: Type.Optional(RegionCode),
        mode: Type.Optional(OneOf(LICENCE_MODES)),
      }),
      response: responses({ 200: Capacity }, 401, 403, 404),
    },
  }, (request) => capacityList(ctx.db, request.caller, request.query));

  app.get('/api/v1/supervision/orgs/:id/risk', {
    schema: {
      operationId: 'getOrganisationRisk', tags: ['supervision'],
      summary: 'Management class (HJ 1259-2022 §4.2) and risk tier of an organisation, with the reasons',
      params: IdParams,
      response: responses({ 200: Risk }, 401, 403, 404),
    },
  }, (request) => orgRisk(ctx.db, request.caller, request.params.id));
};
