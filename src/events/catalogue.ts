// The event catalogue (docs/events.md): every event type the service emits, what it means and the
// JSON schema of its `data`. A type is `{aggregate}.{action}`, the action as the audit trail, the
// lifecycle tables and the API name it; alert events come from the alert sweep.
import { Type, type TSchema } from 'typebox';
import { LabelSchema } from '../labels/label-view.js';
import { ManifestSchema } from '../manifests/manifest-view.js';
import { LABEL_ACTIONS } from '../labels/label-lifecycle.js';
import { MANIFEST_ACTIONS } from '../manifests/manifest-lifecycle.js';

/** The record as the audit trail holds it after the change (parties, licences, filings…). */
const AuditedRecord = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
  description: 'The record as audited after the change (the `after` of its audit entry)',
});

export const AlertEventData = Type.Object({
  alertType: Type.String(), severity: Type.String(), entityType: Type.String(), entityId: Type.String(),
  orgId: Type.String(), regionCode: Type.String(), deadline: Type.String({ format: 'date-time' }), summary: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
}, { description: 'The alert as GET /supervision/alerts showed it when it opened (or last, when it closed)' });

interface AggregateEvents {
  description: string;
  actions: readonly string[];
  data: TSchema;
  /** What `data` is, for the docs: the API resource it equals, or the audited record. */
  dataName?: string;
}

/** Per aggregate type: its actions and the schema of its events' data. */
export const EVENT_AGGREGATES: Record<string, AggregateEvents> = {
  label: {
    description: 'A container label: issued, each custody step, attached to or released from a manifest, corrected',
    actions: ['issue', ...LABEL_ACTIONS, 'attach_to_manifest', 'release_from_manifest', 'revise'],
    data: LabelSchema,
    dataName: 'the label as GET /api/v1/labels/{id} shows it (without allowedActions)',
  },
  manifest: {
    description: 'A transfer manifest: created, updated, each lifecycle step, corrected (revise), attachments',
    actions: ['create', 'update', ...MANIFEST_ACTIONS, 'revise', 'propose_revision', 'review_discrepancy', 'attach_paper_form',
      'attach_receipt_copy', 'compute_receipt_deadline', 'assign_official_number', 'correct_official_number'],
    data: ManifestSchema,
    dataName: 'the manifest as GET /api/v1/manifests/{id} shows it (without allowedActions)',
  },
  manifest_revision: { description: 'A revision (correction) request', actions: ['propose', 'approve', 'refuse', 'withdraw', 'approved', 'refused'], data: AuditedRecord },
  paper_transfer: { description: 'A paper transfer declared by a party', actions: ['declare'], data: AuditedRecord },
  organisation: { description: 'A party registered or changed', actions: ['create', 'create_client', 'register_external', 'update'], data: AuditedRecord },
  licence: { description: 'A licence registered, suspended, revoked or reactivated', actions: ['create', 'suspend', 'revoke', 'reactivate'], data: AuditedRecord },
  site: { description: 'A site of an organisation', actions: ['create', 'update'], data: AuditedRecord },
  facility: { description: 'A storage or treatment facility', actions: ['create'], data: AuditedRecord },
  vehicle: { description: 'A carrier vehicle', actions: ['create'], data: AuditedRecord },
  exemption: { description: 'A transfer exemption', actions: ['create'], data: AuditedRecord },
  inspection: { description: 'An inspection record', actions: ['create'], data: AuditedRecord },
  insurance_policy: { description: 'A pollution liability insurance policy', actions: ['create'], data: AuditedRecord },
  storage_extension: { description: 'A storage period extension', actions: ['create'], data: AuditedRecord },
  emergency_plan_filing: { description: 'An emergency plan filing', actions: ['create'], data: AuditedRecord },
  cross_province_approval: { description: 'A cross-province transfer approval; consumed on receipt', actions: ['create', 'consume'], data: AuditedRecord },
  calendar_year: { description: 'A year of the working-day calendar', actions: ['load', 'replace'], data: AuditedRecord },
  indicator_input: { description: 'A regulator-entered indicator input', actions: ['create', 'update'], data: AuditedRecord },
  approved_route: { description: 'A route a regulator approved for a generator–receiver pair', actions: ['create'], data: AuditedRecord },
  management_plan: { description: 'A site\'s management plan for a year (管理计划): a version saved (edits, or a new version with its reason) or submitted (locked)', actions: ['save', 'submit'], data: AuditedRecord },
  declaration: { description: 'A site\'s declaration of a period (申报): submitted, or corrected by a new version with its reason', actions: ['submit', 'correct'], data: AuditedRecord },
  alert: { description: 'An alert opened or closed by the alert sweep', actions: ['opened', 'closed'], data: AlertEventData, dataName: 'the alert' },
};

export const EVENT_TYPES: readonly string[] = Object.entries(EVENT_AGGREGATES)
  .flatMap(([aggregate, e]) => [...new Set(e.actions)].map((a) => `${aggregate}.${a}`));

/** The envelope every event has, in the feed and in webhook bodies. */
export function eventSchema(data: TSchema = Type.Unknown()) {
  return Type.Object({
    id: Type.String({ format: 'uuid', description: 'Stable: the same event keeps its id in the feed and in every delivery' }),
    type: Type.String({ description: '{aggregate}.{action}; see the event catalogue (docs/events.md)' }),
    aggregate: Type.Object({ type: Type.String(), id: Type.String() }),
    sequence: Type.Integer({ description: 'Orders the events of one aggregate (increasing)' }),
    occurredAt: Type.String({ format: 'date-time' }),
    regionCode: Type.String({ description: 'The region of the aggregate\'s owner' }),
    otherRegionCode: Type.Union([Type.String(), Type.Null()], { description: 'For a manifest: the receiver\'s region when it differs' }),
    data,
  });
}

export const EventSchema = eventSchema();

/** The component name of an aggregate's event envelope: label → LabelEvent. */
const componentName = (aggregate: string) => `${aggregate.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Event`;

/**
 * The catalogue as OpenAPI 3.1: one `webhooks` entry per event type, its body the envelope of its
 * aggregate (a component schema, shared by the aggregate's types). Subscriptions receive these
 * bodies; the feed lists the same events.
 */
export function catalogueAsOpenapi(): { webhooks: Record<string, unknown>; schemas: Record<string, unknown> } {
  const webhooks: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const [aggregate, e] of Object.entries(EVENT_AGGREGATES)) {
    schemas[componentName(aggregate)] = eventSchema(e.data);
    for (const action of new Set(e.actions)) {
      const type = `${aggregate}.${action}`;
      webhooks[type] = {
        post: {
          operationId: `event_${aggregate}_${action}`,
          summary: `${type}: ${e.description}`,
          tags: ['events'],
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${componentName(aggregate)}` } } } },
          responses: { 200: { description: 'Received (any 2xx acknowledges the delivery)' } },
        },
      };
    }
  }
  return { webhooks, schemas };
}
