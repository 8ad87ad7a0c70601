import type { SwaggerOptions } from '@fastify/swagger';
import type { Config } from '../config.js';

/** `events`: the event catalogue as webhooks and their schemas (events/catalogue.ts), from the composition root. */
export function openapiOptions(_config: Config, events: { webhooks: Record<string, unknown>; schemas: Record<string, unknown> }): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hazardous-waste supervision API',
        description: 'Labels with signed QR codes, transfer manifests, custody steps, audit and supervision for a Zero-Waste City platform.',
        version: '1.0.0',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      webhooks: events.webhooks as never, // path items built from TypeBox schemas; swagger's types want its own shape
      // Relative: the committed document must not depend on where the server listens.
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: events.schemas as never,
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'operations', description: 'Health, readiness, metrics' },
        { name: 'auth', description: 'Tokens and keys' },
        { name: 'catalog', description: 'National Hazardous Waste List, by edition' },
        { name: 'calendar', description: 'Working-day calendar: statutory holidays and make-up workdays' },
        { name: 'parties', description: 'Organisations, clients, licences, facilities' },
        { name: 'labels', description: 'HJ 1276 labels and custody steps' },
        { name: 'manifests', description: 'Transfer manifests' },
        { name: 'audit', description: 'Tamper-evident audit trail' },
        { name: 'supervision', description: 'Regulators: search, alerts, indicators' },
        { name: 'public', description: 'Public label verification' },
        { name: 'events', description: 'The event feed (docs/events.md)' },
        { name: 'filings', description: 'Management plans (管理计划) and declarations (申报) of a site, HJ 1259-2022 §5 and §7' },
        { name: 'webhooks', description: 'Signed webhooks: subscriptions, delivery log, redelivery (docs/events.md#webhooks)' },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  };
}
