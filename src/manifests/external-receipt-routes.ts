// External receipts over HTTP (docs/regulations.md#external-receipts): the public one-time link an
// external receiver confirms through, and, behind the token check, the generator's outbox of links
// and the scan of a returned paper copy.
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { IdParams, responses } from '../http/schemas.js';
import { runUnitOfWork } from '../commands/unit-of-work.js';
import { ReceiptItems } from './schemas.js';
import { OccurredAt } from '../labels/schemas.js';
import { loadManifestParts, manifestView, ManifestSchema } from './manifest-view.js';
import { performManifestAction } from './actions.js';
import { manifestSettings } from './manifest-settings.js';
import { manifests } from '../db/schema.js';
import { eq } from 'drizzle-orm';
import { notFound } from '../core/errors.js';
import {
  linkCaller, listReceiptLinks, markLinkUsed, readReceiptCopy, storeReceiptCopy, usableLink, verifyReceiptLink,
} from './external-receipt.js';
import { SCAN_MEDIA_TYPES } from './paper.js';
import { scanBody, ScanFile, sendScan } from './scan-http.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 2000 }) });
const ReceiptBody = Type.Object({
  items: ReceiptItems,
  occurredAt: Type.Optional(OccurredAt),
}, { additionalProperties: false, description: 'The same items as a receive action' });

const ReceiptLink = Type.Object({
  jti: Type.String(), manifestVersion: Type.Integer(), recipient: Type.String(), link: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }), usedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const externalReceiptPublicRoutes: RouteModule = (app, ctx) => {
  const settings = manifestSettings(ctx);
  // Unauthenticated like the label verification page, and limited the same way.
  const rateLimit = { max: ctx.config.verifyRateLimitPerMinute, timeWindow: '1 minute' };

  app.get('/api/v1/external-receipts/:token', {
    schema: {
      operationId: 'getExternalReceipt', tags: ['public'], security: [],
      summary: 'The manifest an external receiver is asked to confirm, through its one-time signed link',
      params: TokenParams, response: responses({ 200: ManifestSchema }, 401, 422, 429),
    },
    config: { rateLimit },
  }, async (request) => {
    const claims = await verifyReceiptLink(ctx.keys, request.params.token);
    await usableLink(ctx.db, claims);
    const [m] = await ctx.db.select().from(manifests).where(eq(manifests.id, claims.manifestId));
    if (!m) throw notFound('Manifest');
    return manifestView(await loadManifestParts(ctx.db, m));
  });

  app.post('/api/v1/external-receipts/:token', {
    schema: {
      operationId: 'confirmExternalReceipt', tags: ['public'], security: [],
      summary: 'An external receiver records its receipt through its one-time signed link (once)',
      params: TokenParams, body: ReceiptBody, response: responses({ 200: ManifestSchema }, 400, 401, 409, 412, 422, 429),
    },
    config: { rateLimit },
  }, async (request, reply) => {
    const claims = await verifyReceiptLink(ctx.keys, request.params.token);
    const [m] = await ctx.db.select().from(manifests).where(eq(manifests.id, claims.manifestId));
    if (!m) throw notFound('Manifest');
    const caller = await linkCaller(ctx.db, m, claims.jti);
    const outcome = await runUnitOfWork(ctx.db, { caller, requestId: String(request.id) }, undefined, async (cmd) => {
      // The link row is locked: two posts of the same link run one after the other, the second refused.
      await usableLink(cmd.tx, claims, true);
      // No If-Match on the link's version: a later change of the manifest that is not a step (a
      // receipt deadline computed once a calendar loads) must not void the link; the step gate
      // refuses it once the manifest has left `delivered`.
      const loaded = await performManifestAction(cmd, settings, m.id, { action: 'receive', items: request.body.items, occurredAt: request.body.occurredAt });
      await markLinkUsed(cmd.tx, claims.jti, new Date());
      return { status: 200, body: manifestView(loaded) };
    });
    const answer = outcome.replayed ? outcome.answer : outcome.result;
    return reply.code(answer.status).send(answer.body);
  });
};

export const externalReceiptRoutes: RouteModule = (app, ctx) => {
  const maxBytes = ctx.config.paperScanMaxBytes;

  app.get('/api/v1/manifests/:id/receipt-links', {
    schema: {
      operationId: 'listManifestReceiptLinks', tags: ['manifests'],
      summary: 'The outbox of one-time receipt links made for an external receiver (the generator forwards them: no mail is sent here)',
      params: IdParams, response: responses({ 200: Type.Object({ items: Type.Array(ReceiptLink) }) }, 401, 404, 422),
    },
  }, (request) => listReceiptLinks(ctx.db, request.caller, request.params.id));

  // The content-type parser for scans is the paper routes' (registered before these in the same scope).
  app.put('/api/v1/manifests/:id/receipt-copy', {
    bodyLimit: 2 * maxBytes,
    schema: {
      operationId: 'putManifestReceiptCopy', tags: ['manifests'],
      summary: 'Store the scan of the paper copy an external receiver returned (the generator, once), before recording its receipt',
      description: `The request body is the file itself, sent with its Content-Type (${SCAN_MEDIA_TYPES.join(', ')}); at most PAPER_SCAN_MAX_BYTES.`,
      params: IdParams,
      response: responses({ 201: Type.Object({ manifestId: Type.String(), mediaType: Type.String(), bytes: Type.Integer(), sha256: Type.String() }) }, 401, 403, 404, 413, 415, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    return { status: 201, body: await storeReceiptCopy(cmd, request.params.id, request.headers['content-type'] ?? '', scanBody(request), maxBytes) };
  }));

  app.get('/api/v1/manifests/:id/receipt-copy', {
    schema: {
      operationId: 'getManifestReceiptCopy', tags: ['manifests'],
      summary: 'The returned paper copy\'s scan, byte for byte (the manifest\'s parties and regulators)',
      params: IdParams,
      response: responses({ 200: ScanFile }, 401, 404),
    },
  }, async (request, reply) => {
    return sendScan(reply, await readReceiptCopy(ctx.db, request.caller, request.params.id));
  });
};
