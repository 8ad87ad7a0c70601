// Webhook subscriptions of regulators (docs/events.md#webhooks): register, list, change, pause or
// resume, delete, rotate the signing secret, read the delivery log, redeliver an event.
import { Type } from 'typebox';
import type { AppContext, RouteModule } from '../context.js';
import { etag, ifMatchVersion, runCommand } from '../http/command.js';
import { Cursor, IdParams, Limit, OneOf, Page, Uuid, responses } from '../http/schemas.js';
import {
  createSubscription, deleteSubscription, listSubscriptions, loadSubscription, rotateSecret, subscriptionView, updateSubscription,
  type SubscriptionSettings,
} from './subscriptions.js';
import { eventOfDelivery, listDeliveries, redeliverEvent } from './deliveries.js';

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http or https; no credentials; no private, loopback or link-local address unless WEBHOOK_ALLOW_PRIVATE allows it' });
const EventTypes = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200, description: 'Event types of the catalogue (docs/events.md); empty: all' });
const RegionScope = Type.String({ pattern: '^\\d{2,6}$', description: 'Region code or prefix inside your jurisdiction; absent: all of it' });
const Contact = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: 'Who to call when deliveries fail' });
const State = OneOf(['active', 'paused'] as const);

const NewSubscription = Type.Object({
  url: Url, eventTypes: Type.Optional(EventTypes), regionScope: Type.Optional(RegionScope), contact: Type.Optional(Contact), state: Type.Optional(State),
}, { additionalProperties: false });

const SubscriptionChanges = Type.Object({
  url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), regionScope: Type.Optional(RegionScope), contact: Type.Optional(Contact),
  state: Type.Optional(Type.Unsafe<'active' | 'paused'>({ ...State, description: 'paused: nothing is sent; active: resumes (a subscription paused for failing is resumed this way)' })),
}, { additionalProperties: false, minProperties: 1 });

const Subscription = Type.Object({
  id: Uuid,
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  regionScope: Type.String(),
  contact: Type.Union([Type.String(), Type.Null()]),
  state: State,
  pausedReason: Type.Union([OneOf(['manual', 'failing'] as const), Type.Null()], { description: 'failing: paused automatically after WEBHOOK_PAUSE_AFTER_HOURS of failed deliveries' }),
  previousSecretExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Until then, deliveries are signed with the previous secret too' }),
  delivery: Type.Object({
    failingEventId: Type.Union([Uuid, Type.Null()], { description: 'The event that failed last and blocks later ones until it succeeds or is dead-lettered' }),
    failingAttempts: Type.Integer(),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const WithSecret = Type.Intersect([Subscription, Type.Object({
  secret: Type.String({ description: 'The signing secret (whsec_…, Standard Webhooks): shown only in this response' }),
})]);

const Delivery = Type.Object({
  id: Uuid,
  eventId: Uuid,
  eventType: Type.String(),
  attempt: Type.Integer({ description: '1, 2, … for this event and subscription' }),
  status: OneOf(['succeeded', 'failed', 'dead'] as const),
  manual: Type.Boolean({ description: 'A manual redelivery' }),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  attemptedAt: Type.String({ format: 'date-time' }),
});

const Queued = Type.Object({ subscriptionId: Uuid, eventId: Uuid, eventType: Type.String(), queued: Type.Boolean() });

const settingsOf = (ctx: AppContext): SubscriptionSettings => ({
  allowPrivate: ctx.config.webhooks.allowPrivate, secretKey: ctx.config.webhooks.secretKey, secretOverlapHours: ctx.config.webhooks.secretOverlapHours,
});

const tags = ['webhooks'];

export const webhookRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/webhook-subscriptions', {
    schema: {
      operationId: 'createWebhookSubscription', tags,
      summary: 'Subscribe a URL to events of your jurisdiction (regulator admin); the signing secret is returned once',
      body: NewSubscription, response: responses({ 201: WithSecret }, 401, 403),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const { view, secret } = await createSubscription(cmd, settingsOf(ctx), request.body);
    // A retry with the same Idempotency-Key gets the subscription, never the secret again.
    return { status: 201, body: { ...view, secret }, headers: { etag: etag(view.version) }, replayBody: view };
  }));

  app.get('/api/v1/webhook-subscriptions', {
    schema: {
      operationId: 'listWebhookSubscriptions', tags, summary: 'Your organisation\'s webhook subscriptions',
      querystring: Type.Object({ limit: Limit, cursor: Cursor }), response: responses({ 200: Page(Subscription) }, 401, 403),
    },
  }, (request) => listSubscriptions(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 }));

  app.get('/api/v1/webhook-subscriptions/:id', {
    schema: {
      operationId: 'getWebhookSubscription', tags, summary: 'A webhook subscription and its delivery state',
      params: IdParams, response: responses({ 200: Subscription }, 401, 403, 404),
    },
  }, async (request, reply) => {
    const s = subscriptionView(await loadSubscription(ctx.db, request.caller, request.params.id));
    reply.header('etag', etag(s.version));
    return s;
  });

  app.patch('/api/v1/webhook-subscriptions/:id', {
    schema: {
      operationId: 'updateWebhookSubscription', tags,
      summary: 'Change a subscription; state=paused stops deliveries, state=active resumes them (also after an automatic pause)',
      params: IdParams, body: SubscriptionChanges, response: responses({ 200: Subscription }, 401, 403, 404, 412),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const body = await updateSubscription(cmd, settingsOf(ctx), request.params.id, request.body, ifMatchVersion(request));
    return { status: 200, body, headers: { etag: etag(body.version) } };
  }));

  app.delete('/api/v1/webhook-subscriptions/:id', {
    schema: {
      operationId: 'deleteWebhookSubscription', tags, summary: 'Delete a subscription and its delivery log',
      params: IdParams, response: responses({ 204: Type.Null() }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    await deleteSubscription(cmd, request.params.id);
    return { status: 204, body: null };
  }));

  app.post('/api/v1/webhook-subscriptions/:id/rotate-secret', {
    schema: {
      operationId: 'rotateWebhookSecret', tags,
      summary: 'A new signing secret, returned once; the old one keeps signing too for WEBHOOK_SECRET_OVERLAP_HOURS',
      params: IdParams, response: responses({ 200: WithSecret }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const { view, secret } = await rotateSecret(cmd, settingsOf(ctx), request.params.id);
    return { status: 200, body: { ...view, secret }, headers: { etag: etag(view.version) }, replayBody: view };
  }));

  app.get('/api/v1/webhook-subscriptions/:id/deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries', tags, summary: 'The delivery log of a subscription: every attempt, in the order made',
      params: IdParams, querystring: Type.Object({ limit: Limit, cursor: Cursor, eventId: Type.Optional(Uuid) }),
      response: responses({ 200: Page(Delivery) }, 401, 403, 404),
    },
  }, (request) => listDeliveries(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));

  app.post('/api/v1/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver', {
    schema: {
      operationId: 'redeliverWebhookDelivery', tags, summary: 'Send the event of a logged delivery once more (e.g. a dead-lettered one), out of order',
      params: Type.Object({ id: Uuid, deliveryId: Uuid }), response: responses({ 202: Queued }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const eventId = await eventOfDelivery(cmd.tx, request.caller, request.params.id, request.params.deliveryId);
    return { status: 202, body: await redeliverEvent(cmd, request.params.id, eventId) };
  }));

  app.post('/api/v1/webhook-subscriptions/:id/events/:eventId/redeliver', {
    schema: {
      operationId: 'redeliverWebhookEvent', tags, summary: 'Send an event the subscription receives once more, out of order',
      params: Type.Object({ id: Uuid, eventId: Uuid }), response: responses({ 202: Queued }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 202, body: await redeliverEvent(cmd, request.params.id, request.params.eventId),
  })));
};
