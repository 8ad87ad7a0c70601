// Sites, licences, vehicles, facilities, exemptions, insurance policies and inspections.
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { etag, ifMatchVersion, runCommand } from '../http/command.js';
import { Cursor, DateString, IdParams, Limit, Page, responses, OneOf } from '../http/schemas.js';
import { WASTE_CODE_PATTERN } from '../catalog/catalog.js';
import { MethodCode } from '../catalog/treatment-methods.js';
import { LICENCE_KINDS, LICENCE_MODES, LICENCE_STATUSES } from './licence-rules.js';
import {
  createLicence, licenceCoverage, listOrgLicences, readLicence, setLicenceStatus,
} from './licences.js';
import { listVehicles, registerVehicle } from './vehicles.js';
import { createFacility, FACILITY_KINDS, listFacilities, STORAGE_TYPES } from './facilities.js';
import { OLD_OPERATING_KIND } from './licences.js';
import { createSite, listSites } from './site-registry.js';
import { createExemption, listExemptions, readExemption } from './exemptions.js';
import { createPolicy, listPolicies } from './insurance.js';
import { listInspections, recordInspection } from './inspections.js';

const Id = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^\\S(.*\\S)?$', ...(description ? { description } : {}) });
const Paging = { limit: Limit, cursor: Cursor };
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);
const MAX_KG = 1e13;

// ---- sites ----

const RegionCode = Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code' });

const NewSite = Type.Object({
  name: Text(200, 'Unique within the organisation'),
  address: Text(300),
  regionCode: RegionCode,
}, { additionalProperties: false });

const Site = Type.Object({
  id: Id,
  orgId: Id,
  name: Type.String(),
  address: Type.String(),
  regionCode: Type.String(),
  isDefault: Type.Boolean({ description: 'The site created with the organisation, at its registered address' }),
  createdAt: Timestamp,
});

// ---- licences ----

/** Input also names the old kind `operating`, to answer it with a 400 that lists the kinds. */
const InputKind = OneOf([...LICENCE_KINDS, OLD_OPERATING_KIND]);

const NewLicence = Type.Object({
  kind: Type.Unsafe<(typeof LICENCE_KINDS)[number] | typeof OLD_OPERATING_KIND>({
    ...InputKind,
    description: 'comprehensive 危险废物综合经营许可证, collection 危险废物收集经营许可证 (900-214-08, 900-044-49 only), collection_pilot 收集试点 approval, medical_collection_point 医疗废物暂存/中转 approval (HW01), transport 道路危险货物运输许可. The old `operating` is refused with 400: it does not say which',
  }),
  siteId: Type.Optional(Type.String({ format: 'uuid', description: 'The holder\'s site the licence is for; its default site when absent; none for transport' })),
  number: Text(100, 'Licence number as printed; unique per kind'),
  modes: Type.Optional(Type.Array(OneOf(LICENCE_MODES), { uniqueItems: true, description: 'comprehensive: at least one; collection: collection only (the default); approvals: collection and/or storage (default both); transport: none' })),
  wasteCodes: Type.Optional(Type.Array(
    Type.String({ pattern: '^(\\d{3}-\\d{3}-\\d{2}|HW\\d{2})$' }),
    { uniqueItems: true, maxItems: 500, description: 'Exact codes NNN-NNN-NN and/or whole categories HWxx; operating licences only' },
  )),
  annualCapacityKg: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_KG, description: 'Required for comprehensive and collection licences, optional for approvals, none for transport' })),
  validFrom: DateString,
  validTo: DateString,
}, { additionalProperties: false });

const Licence = Type.Object({
  id: Id,
  orgId: Id,
  siteId: Type.Union([Id, Type.Null()]),
  kind: OneOf(LICENCE_KINDS),
  number: Type.String(),
  modes: Type.Array(OneOf(LICENCE_MODES)),
  wasteCodes: Type.Array(Type.String()),
  annualCapacityKg: NullableInt,
  validFrom: DateString,
  validTo: DateString,
  status: OneOf(LICENCE_STATUSES),
  version: Type.Integer(),
  createdAt: Timestamp,
});

const Coverage = Type.Object({
  licenceId: Id,
  wasteCode: Type.String(),
  covered: Type.Boolean({ description: 'The code, or its whole category, is on the licence' }),
  activeToday: Type.Boolean({ description: 'Status active and today (Asia/Shanghai) within the validity period' }),
});

// ---- vehicles, facilities ----

const NewVehicle = Type.Object({
  plate: Type.String({ minLength: 7, maxLength: 12, description: 'Chinese plate, e.g. 晋A12345 or 晋AD12345 (new energy)' }),
  licenceId: Id,
}, { additionalProperties: false });

const Vehicle = Type.Object({ id: Id, orgId: Id, licenceId: Id, plate: Type.String(), createdAt: Timestamp });

const NewFacility = Type.Object({
  siteId: Type.Optional(Type.String({ format: 'uuid', description: 'The organisation\'s site it is at; its default site when absent' })),
  code: Type.String({ minLength: 1, maxLength: 50, pattern: '^\\S+$', description: 'Unique within the organisation' }),
  name: Text(200),
  kind: OneOf(FACILITY_KINDS),
  storageType: Type.Optional(OneOf(STORAGE_TYPES)),
  capacityKg: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_KG })),
  methods: Type.Optional(Type.Array(MethodCode, { uniqueItems: true, maxItems: 30, description: 'Treatment facilities: the method codes they run' })),
}, { additionalProperties: false });

const Facility = Type.Object({
  id: Id,
  orgId: Id,
  siteId: Id,
  code: Type.String(),
  name: Type.String(),
  kind: OneOf(FACILITY_KINDS),
  storageType: Type.Union([OneOf(STORAGE_TYPES), Type.Null()]),
  capacityKg: NullableInt,
  methods: Type.Array(Type.String()),
  createdAt: Timestamp,
});

// ---- exemptions, insurance, inspections ----

const NewExemption = Type.Object({
  generatorId: Id,
  receiverId: Id,
  wasteCode: Type.String({ pattern: WASTE_CODE_PATTERN }),
  approvalNo: Text(100, 'Approval document number; unique'),
  validFrom: DateString,
  validTo: DateString,
}, { additionalProperties: false });

const Exemption = Type.Object({
  id: Id,
  generatorId: Id,
  receiverId: Id,
  wasteCode: Type.String(),
  approvalNo: Type.String(),
  validFrom: DateString,
  validTo: DateString,
  regionCode: Type.String({ description: 'The generator\'s region' }),
  createdAt: Timestamp,
});

const NewPolicy = Type.Object({
  policyNo: Text(100, 'Unique'),
  insurer: Text(200),
  coverageCny: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e15 })),
  validFrom: DateString,
  validTo: DateString,
}, { additionalProperties: false });

const Policy = Type.Object({
  id: Id,
  orgId: Id,
  policyNo: Type.String(),
  insurer: Type.String(),
  coverageCny: NullableInt,
  validFrom: DateString,
  validTo: DateString,
  createdAt: Timestamp,
});

const NewInspection = Type.Object({
  orgId: Id,
  date: DateString,
  passed: Type.Boolean(),
  findings: Type.Optional(Type.String({ maxLength: 5000 })),
}, { additionalProperties: false });

const Inspection = Type.Object({
  id: Id,
  orgId: Id,
  inspectorOrgId: Id,
  date: DateString,
  passed: Type.Boolean(),
  findings: Type.String(),
  regionCode: Type.String(),
  createdAt: Timestamp,
});

export const registryRoutes: RouteModule = (app, ctx) => {
  // ---- sites ----

  app.post('/api/v1/orgs/:id/sites', {
    schema: {
      operationId: 'createSite', tags: ['parties'], summary: 'Register a production/operating site (生产经营场所) of an organisation (org admin or registrar)',
      params: IdParams, body: NewSite, response: responses({ 201: Site }, 401, 403, 404, 409),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createSite(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/sites', {
    schema: {
      operationId: 'listSites', tags: ['parties'], summary: 'Sites of an organisation (itself or its regulator)',
      params: IdParams, querystring: Type.Object({ ...Paging }),
      response: responses({ 200: Page(Site) }, 401, 404),
    },
  }, (request) => listSites(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  // ---- licences ----

  app.post('/api/v1/orgs/:id/licences', {
    schema: {
      operationId: 'createLicence', tags: ['parties'], summary: 'Register a licence or collection approval, or a transport licence (registrar)',
      params: IdParams, body: NewLicence, response: responses({ 201: Licence }, 400, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const body = await createLicence(cmd, request.params.id, request.body);
    return { status: 201, body, headers: { etag: etag(body.version) } };
  }));

  app.get('/api/v1/orgs/:id/licences', {
    schema: {
      operationId: 'listOrgLicences', tags: ['parties'], summary: 'Licences of an organisation (public register; regulators: their jurisdiction)',
      params: IdParams,
      querystring: Type.Object({ kind: Type.Optional({ ...InputKind, description: '`operating`: every kind but transport' }), status: Type.Optional(OneOf(LICENCE_STATUSES)), ...Paging }),
      response: responses({ 200: Page(Licence) }, 401, 404),
    },
  }, (request) => listOrgLicences(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  app.get('/api/v1/licences/:id', {
    schema: {
      operationId: 'getLicence', tags: ['parties'], summary: 'One licence; ETag carries its version',
      params: IdParams, response: responses({ 200: Licence }, 401, 404),
    },
  }, async (request, reply) => {
    const licence = await readLicence(ctx.db, request.caller, request.params.id);
    reply.header('etag', etag(licence.version));
    return licence;
  });

  app.patch('/api/v1/licences/:id', {
    schema: {
      operationId: 'updateLicenceStatus', tags: ['parties'], summary: 'Suspend, revoke or reactivate a licence (registrar); a revoked licence stays revoked',
      params: IdParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'Expected version, e.g. "3"; 412 when it moved on' })) }),
      body: Type.Object({ status: OneOf(LICENCE_STATUSES) }, { additionalProperties: false }),
      response: responses({ 200: Licence }, 401, 403, 404, 412, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const body = await setLicenceStatus(cmd, request.params.id, request.body.status, ifMatchVersion(request));
    return { status: 200, body, headers: { etag: etag(body.version) } };
  }));

  app.get('/api/v1/licences/:id/coverage', {
    schema: {
      operationId: 'getLicenceCoverage', tags: ['parties'], summary: 'Does the licence cover a waste code, and is it active today?',
      params: IdParams,
      querystring: Type.Object({ wasteCode: Type.String({ pattern: WASTE_CODE_PATTERN, description: 'NNN-NNN-NN' }) }),
      response: responses({ 200: Coverage }, 401, 404),
    },
  }, (request) => licenceCoverage(ctx.db, request.caller, request.params.id, request.query.wasteCode));

  // ---- vehicles ----

  app.post('/api/v1/orgs/:id/vehicles', {
    schema: {
      operationId: 'registerVehicle', tags: ['parties'], summary: 'Register a vehicle under the organisation\'s transport licence (org admin or registrar)',
      params: IdParams, body: NewVehicle, response: responses({ 201: Vehicle }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await registerVehicle(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/vehicles', {
    schema: {
      operationId: 'listVehicles', tags: ['parties'], summary: 'Vehicles of an organisation (itself or its regulator)',
      params: IdParams,
      querystring: Type.Object({ licenceId: Type.Optional(Id), ...Paging }),
      response: responses({ 200: Page(Vehicle) }, 401, 404),
    },
  }, (request) => listVehicles(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  // ---- facilities ----

  app.post('/api/v1/orgs/:id/facilities', {
    schema: {
      operationId: 'createFacility', tags: ['parties'], summary: 'Register a storage or treatment facility (org admin or registrar)',
      params: IdParams, body: NewFacility, response: responses({ 201: Facility }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createFacility(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/facilities', {
    schema: {
      operationId: 'listFacilities', tags: ['parties'], summary: 'Facilities of an organisation (itself or its regulator)',
      params: IdParams,
      querystring: Type.Object({ kind: Type.Optional(OneOf(FACILITY_KINDS)), ...Paging }),
      response: responses({ 200: Page(Facility) }, 401, 404),
    },
  }, (request) => listFacilities(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  // ---- exemptions ----

  app.post('/api/v1/exemptions', {
    schema: {
      operationId: 'createExemption', tags: ['parties'], summary: 'Approve a point-to-point utilisation exemption (registrar of the generator\'s region)',
      body: NewExemption, response: responses({ 201: Exemption }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createExemption(cmd, request.body),
  })));

  app.get('/api/v1/exemptions', {
    schema: {
      operationId: 'listExemptions', tags: ['parties'], summary: 'Exemptions: a regulator sees its jurisdiction, others those they are party to',
      querystring: Type.Object({
        generatorId: Type.Optional(Id),
        receiverId: Type.Optional(Id),
        wasteCode: Type.Optional(Type.String({ pattern: WASTE_CODE_PATTERN })),
        ...Paging,
      }),
      response: responses({ 200: Page(Exemption) }, 401),
    },
  }, (request) => listExemptions(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 }));

  app.get('/api/v1/exemptions/:id', {
    schema: {
      operationId: 'getExemption', tags: ['parties'], summary: 'One exemption (its parties or their regulators)',
      params: IdParams, response: responses({ 200: Exemption }, 401, 404),
    },
  }, (request) => readExemption(ctx.db, request.caller, request.params.id));

  // ---- insurance ----

  app.post('/api/v1/orgs/:id/insurance', {
    schema: {
      operationId: 'createInsurancePolicy', tags: ['parties'], summary: 'Record an environmental liability insurance policy of a licensed operator (registrar)',
      params: IdParams, body: NewPolicy, response: responses({ 201: Policy }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createPolicy(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/insurance', {
    schema: {
      operationId: 'listInsurancePolicies', tags: ['parties'], summary: 'Insurance policies of an organisation (itself or its regulator)',
      params: IdParams, querystring: Type.Object({ ...Paging }),
      response: responses({ 200: Page(Policy) }, 401, 404),
    },
  }, (request) => listPolicies(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  // ---- inspections ----

  app.post('/api/v1/inspections', {
    schema: {
      operationId: 'recordInspection', tags: ['parties'], summary: 'Record a spot-check inspection (规范化管理抽查) of a party in your jurisdiction (registrar)',
      body: NewInspection, response: responses({ 201: Inspection }, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await recordInspection(cmd, request.body),
  })));

  app.get('/api/v1/inspections', {
    schema: {
      operationId: 'listInspections', tags: ['parties'], summary: 'Inspections in your jurisdiction (regulators only)',
      querystring: Type.Object({
        orgId: Type.Optional(Id),
        from: Type.Optional(DateString),
        to: Type.Optional(DateString),
        passed: Type.Optional(Type.Boolean()),
        ...Paging,
      }),
      response: responses({ 200: Page(Inspection) }, 401, 403),
    },
  }, (request) => listInspections(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 }));
};
