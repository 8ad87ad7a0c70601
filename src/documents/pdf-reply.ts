// Content negotiation and sending of a printed document: PDF is asked for with `?format=pdf` or an
// Accept header naming application/pdf (a `format` naming another type wins over the header).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pdf } from './pdf-document.js';

export const PDF_TYPE = 'application/pdf';

/** Does the request ask for PDF? `format` is the query's format parameter, when the route has one. */
export function wantsPdf(request: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'pdf';
  return acceptsPdf(request.headers.accept);
}

/** Does an Accept header name application/pdf (with a non-zero q)? A wildcard alone does not. */
export function acceptsPdf(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    if (type !== PDF_TYPE) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Marks an answer chosen by the Accept header as such (Vary: Accept), keeping whatever Vary says
 * already, so that a cache never hands a PDF to a client that asked for JSON or the other way round.
 */
export function varyOnAccept(reply: FastifyReply): void {
  const prev = reply.getHeader('vary');
  const list = prev === undefined ? [] : String(prev).split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.some((v) => v.toLowerCase() === 'accept' || v === '*')) reply.header('vary', [...list, 'Accept'].join(', '));
}

/** Ends the document and streams it as the answer, shown inline under `filename`. */
export function sendPdf(reply: FastifyReply, doc: Pdf, filename: string): FastifyReply {
  doc.end();
  const safe = filename.replace(/[^\w.-]/g, '_');
  return reply.type(PDF_TYPE).header('content-disposition', `inline; filename="${safe}"`).send(doc);
}

/** The OpenAPI content of a PDF answer (for a route's response schema). */
export const pdfContent = { [PDF_TYPE]: { schema: { type: 'string', format: 'binary' } } } as const;
