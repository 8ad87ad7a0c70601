// Content negotiation and sending of a printed document: PDF is asked for with `?format=pdf` or an
// Accept header naming application/pdf (a `format` naming another type wins over the header).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pdf } from './pdf-document.js';

export const PDF_TYPE = 'application/pdf';

/**
 * Does the request ask for PDF? `format` is the query's format parameter, when the route has one;
 * `alternative` the media type the route answers otherwise (application/json, image/svg+xml).
 */
export function wantsPdf(request: FastifyRequest, format: string | undefined, alternative: string): boolean {
  if (format !== undefined) return format === 'pdf';
  return prefersPdf(request.headers.accept, alternative);
}

/** Each media range of an Accept header with its weight (q, 1 when absent). */
function mediaRanges(accept: string): Array<{ type: string; q: number }> {
  return accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { type, q: Number.isFinite(weight) ? weight : 0 };
  });
}

/**
 * Does an Accept header prefer application/pdf to `alternative`? PDF must be named (a wildcard such
 * as a browser's *\/* is not a request for it), with a weight above zero and above the
 * alternative's when that is named too (on a tie the route's usual answer stays).
 */
export function prefersPdf(accept: string | undefined, alternative: string): boolean {
  if (!accept) return false;
  const ranges = mediaRanges(accept);
  const weightOf = (type: string) => Math.max(-1, ...ranges.filter((r) => r.type === type).map((r) => r.q));
  const pdf = weightOf(PDF_TYPE);
  const other = weightOf(alternative);
  return pdf > 0 && pdf > other;
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
