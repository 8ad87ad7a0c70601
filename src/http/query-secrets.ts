// Credentials never travel in a URL: URLs end up in proxy logs, browser history and our own logs.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';

/** Query parameters whose values are credentials, by name (access_token, clientSecret, api-key…). */
export const SECRET_PARAM = /(token|secret|password|passwd|api[-_]?key|credential|signature)/i;

/** RFC 6750 §2.3 allows `?access_token=`; we refuse it (and never log its value, see logger.ts). */
export async function refuseTokensInQuery(request: FastifyRequest): Promise<void> {
  const q = request.url.indexOf('?');
  if (q < 0) return;
  const query = new URLSearchParams(request.url.slice(q + 1));
  if (query.has('access_token')) {
    throw new AppError('VALIDATION_FAILED', 'Send the access token in the Authorization header ("Bearer <token>"), never in the URL');
  }
}

/** The URL with the value of every credential-like query parameter replaced, for logs. */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    let decoded = name;
    try { decoded = decodeURIComponent(name); } catch { /* keep the raw name */ }
    return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
