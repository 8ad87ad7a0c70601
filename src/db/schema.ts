export * from '../parties/schema.js';
export * from '../audit/schema.js';
export * from '../http/idempotency-schema.js';
export * from '../labels/schema.js';
export * from '../manifests/schema.js';
export * from '../calendar/schema.js';
export * from '../events/schema.js';
export * from '../webhooks/schema.js';
