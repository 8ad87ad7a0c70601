// pino options: JSON logs, request id on every line, secrets and tokens never written.
import { urlForLog } from './query-secrets.js';

export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["idempotency-key"]',
        '*.clientSecret',
        '*.accessToken',
        '*.password',
        '*.token',
        '*.privateJwk',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // The public verification URL carries a signed token: log the route, not the token.
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: urlForLog(req.url.replace(/^\/v\/[^?]+/, '/v/[redacted]')), ip: req.ip };
      },
    },
  };
}
