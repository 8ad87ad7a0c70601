// Paper manifests over HTTP (docs/regulations.md#paper-manifests): the paper form's scan of a
// back-entered manifest (stored once, served back byte for byte), and declarations of transfers
// that run on paper.
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { IdParams, Limit, responses } from '../http/schemas.js';
import { HandledBy } from '../commands/handled-by.js';
import { declarePaperTransfer, listPaperTransfers, readPaperScan, SCAN_MEDIA_TYPES, storePaperScan } from './paper.js';
import { PaperNumber } from './schemas.js';
import { scanBody, ScanFile, sendScan } from './scan-http.js';

const ScanStored = Type.Object({
  manifestId: Type.String(), version: Type.Integer(), mediaType: Type.String(), bytes: Type.Integer(), sha256: Type.String(),
});

const PaperTransfer = Type.Object({
  id: Type.String(), paperNumber: Type.String(), orgId: Type.String(), regionCode: Type.String(),
  startedAt: Type.String({ format: 'date-time' }), note: Type.String(), recordedAt: Type.String({ format: 'date-time' }),
  manifest: Type.Union([Type.Object({ id: Type.String(), number: Type.Union([Type.String(), Type.Null()]) }), Type.Null()], {
    description: 'The manifest back-entered with this paper number, once there is one',
  }),
});

export const paperRoutes: RouteModule = (app, ctx) => {
  const maxBytes = ctx.config.paperScanMaxBytes;
  // The scan arrives as the raw file. The parser reads up to twice the limit so that a scan a little
  // too large gets the rule's explanation; beyond that the server's 413 answers.
  app.addContentTypeParser([...SCAN_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: 2 * maxBytes }, (_req, body, done) => done(null, body));

  app.put('/api/v1/manifests/:id/paper-form', {
    bodyLimit: 2 * maxBytes,
    schema: {
      operationId: 'putManifestPaperForm', tags: ['manifests'],
      summary: 'Store the scan of a back-entered manifest\'s paper form (PDF, PNG or JPEG, once; the generator)',
      description: `The request body is the file itself, sent with its Content-Type (${SCAN_MEDIA_TYPES.join(', ')}); the content must be of that type. At most PAPER_SCAN_MAX_BYTES.`,
      params: IdParams,
      response: responses({ 201: ScanStored }, 401, 403, 404, 413, 415, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const m = await storePaperScan(cmd, request.params.id, request.headers['content-type'] ?? '', scanBody(request), maxBytes);
    return {
      status: 201,
      body: { manifestId: m.id, version: m.version, mediaType: m.paperScanMediaType!, bytes: m.paperScanBytes!, sha256: m.paperScanSha256! },
    };
  }));

  app.get('/api/v1/manifests/:id/paper-form', {
    schema: {
      operationId: 'getManifestPaperForm', tags: ['manifests'],
      summary: 'The paper form\'s scan, byte for byte as stored (the manifest\'s parties and regulators)',
      params: IdParams,
      response: responses({ 200: ScanFile }, 401, 404),
    },
  }, async (request, reply) => {
    return sendScan(reply, await readPaperScan(ctx.db, request.caller, request.params.id));
  });

  app.post('/api/v1/paper-transfers', {
    schema: {
      operationId: 'declarePaperTransfer', tags: ['manifests'],
      summary: 'Declare that a transfer runs on a paper form (one line; a handset may send it once back online)',
      body: Type.Object({
        paperNumber: PaperNumber(),
        startedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the paper transfer started (RFC 3339); defaults to now' })),
        note: Type.Optional(Type.String({ maxLength: 300 })),
        handledBy: Type.Optional(HandledBy),
      }, { additionalProperties: false }),
      response: responses({ 200: PaperTransfer, 201: PaperTransfer }, 401, 403, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, (cmd) => declarePaperTransfer(cmd, request.body, ctx.config.paperBackEntryWindowDays)));

  app.get('/api/v1/paper-transfers', {
    schema: {
      operationId: 'listPaperTransfers', tags: ['manifests'],
      summary: 'Declared paper transfers: the caller\'s own, or (a regulator) those of its jurisdiction, with the manifest entered for each',
      querystring: Type.Object({ limit: Limit }, { additionalProperties: false }),
      response: responses({ 200: Type.Object({ items: Type.Array(PaperTransfer) }) }, 401),
    },
  }, (request) => listPaperTransfers(ctx.db, request.caller, request.query.limit ?? 50));
};
