// A stored scan (a paper form, a returned receipt copy) over HTTP: the raw file as the request body
// (the parser for SCAN_MEDIA_TYPES is registered by paper-routes.ts), and the file sent back byte for
// byte with its media type and its SHA-256 as the ETag.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ScanFile = Type.Unsafe({ description: 'The file, with its media type', type: 'string', format: 'binary' });

/** The uploaded file, or nothing when the body was not one of the scan types. */
export const scanBody = (request: FastifyRequest): Buffer => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

export function sendScan(reply: FastifyReply, scan: { mediaType: string; sha256: string; content: Buffer }): FastifyReply {
  return reply.type(scan.mediaType).header('etag', `"${scan.sha256}"`).header('content-disposition', 'inline')
    .header('cache-control', 'private, max-age=0').send(scan.content);
}
