// Test parties built through the HTTP API, the way a registrar would build them.
import { randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/context.js';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { TEST_ADMIN } from './test-app.js';

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export function randomUscc(): string {
  let s = '91';
  for (let i = 0; i < 15; i++) s += USCC_CHARS[randomInt(USCC_CHARS.length)];
  return withCheckCharacter(s);
}

export interface Client {
  token: string;
  clientId: string;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function clientFor(app: App, token: string, clientId = ''): Client {
  const authz = (h: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...h });
  return {
    token,
    clientId,
    get: (url, headers) => app.inject({ method: 'GET', url, headers: authz(headers) }),
    post: (url, body, headers) => app.inject({ method: 'POST', url, headers: authz(headers), payload: (body ?? {}) as object }),
    patch: (url, body, headers) => app.inject({ method: 'PATCH', url, headers: authz(headers), payload: (body ?? {}) as object }),
  };
}

export async function login(app: App, clientId: string, clientSecret: string): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { clientId, clientSecret } });
  if (res.statusCode !== 200) throw new Error(`login ${clientId}: ${res.statusCode} ${res.body}`);
  return clientFor(app, res.json().accessToken, clientId);
}

export const loginAdmin = (app: App) => login(app, TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);

export interface OrgSpec {
  roles: string[];
  regionCode?: string;
  name?: string;
  generatorClass?: string;
  medicalTier?: string;
}

export interface Party {
  org: { id: string; uscc: string; name: string; regionCode: string; roles: string[] };
  /** A client with admin + operator + driver roles. */
  client: Client;
}

/** Registers an organisation with the given registrar and logs in one all-purpose client of it. */
export async function createParty(app: App, registrar: Client, spec: OrgSpec, clientRoles = ['admin', 'operator', 'driver']): Promise<Party> {
  const generatorClass = spec.generatorClass ?? (spec.roles.includes('generator') ? 'industrial' : undefined);
  const res = await registrar.post('/api/v1/orgs', {
    uscc: randomUscc(),
    name: spec.name ?? `${spec.roles.join('+')} ${randomInt(1e6)}`,
    roles: spec.roles,
    regionCode: spec.regionCode ?? '140105',
    ...(generatorClass ? { generatorClass } : {}),
    ...(spec.medicalTier ? { medicalTier: spec.medicalTier } : {}),
    contact: { name: '张三', phone: '13800000000' },
    address: '太原市',
  });
  if (res.statusCode !== 201) throw new Error(`create org: ${res.statusCode} ${res.body}`);
  const org = res.json();
  const c = await registrar.post(`/api/v1/orgs/${org.id}/clients`, { name: 'handset', roles: clientRoles });
  if (c.statusCode !== 201) throw new Error(`create client: ${c.statusCode} ${c.body}`);
  const { clientId, clientSecret } = c.json();
  return { org, client: await login(app, clientId, clientSecret) };
}

/** A regulator for a region, with a registrar client. */
export async function createRegulator(app: App, registrar: Client, regionCode: string): Promise<Party> {
  return createParty(app, registrar, { roles: ['regulator'], regionCode }, ['admin', 'registrar', 'viewer']);
}
