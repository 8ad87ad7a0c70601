// Machine credentials of an organisation: created with a secret shown once, rotated, disabled for
// good. A secret exists in exactly one response; the database holds only its scrypt hash, and an
// Idempotency-Key replay of that response answers without it.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { clients } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { hashSecret, newClientId, newSecret } from '../auth/secrets.js';
import { requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { loadManagedOrg, findOrg } from './organisations.js';
import { refuseClientsOfExternal } from './external-parties.js';

type ClientRow = typeof clients.$inferSelect;

const view = (c: ClientRow) => ({
  clientId: c.id,
  orgId: c.orgId,
  name: c.name,
  roles: c.roles,
  kind: c.kind,
  disabled: c.disabledAt !== null,
  rotatedAt: c.secretRotatedAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
});

/**
 * A response that shows a new secret: the secret itself, what an Idempotency-Key replay answers
 * instead, and a Link to the rotation. The replayed body is stored, so it is kept free of even the
 * word "secret": an operator's check `body::text ILIKE '%secret%'` over idempotency records stays 0.
 */
function withSecretOnce(row: ClientRow, clientSecret: string) {
  const shown = { ...view(row), clientSecret };
  const replayed = {
    ...view(row),
    credentialNote: 'The credential was shown once, in the first response to this request, and is not kept. If it was lost, rotate it: see the Link header (rel="rotate")',
  };
  const headers = { link: `</api/v1/clients/${encodeURIComponent(row.id)}/rotate-secret>; rel="rotate"` };
  return { shown, replayed, headers };
}

/** The org's own admin, or a registrar whose jurisdiction holds the org. */
function requireClientManager(caller: Caller, org: { id: string; regionCode: string }): void {
  if (caller.orgId === org.id && caller.roles.includes('admin')) return;
  if (supervises(caller, org.regionCode) && caller.roles.includes('registrar')) return;
  throw new AppError('FORBIDDEN', 'Only the organisation\'s admin or a registrar may manage its clients');
}

export async function createClient(cmd: Command, orgId: string, input: { name: string; roles: string[]; kind?: string }) {
  const found = await findOrg(cmd.tx, orgId);
  if (found) refuseClientsOfExternal(found);
  const org = await loadManagedOrg(cmd.tx, cmd.actor.caller, orgId);
  cmd.onRefusal({ chain: org.regionCode, entityType: 'organisation', entityId: org.id, action: 'create_client' });
  requireClientManager(cmd.actor.caller, org);
  if (input.roles.includes('registrar') && !cmd.actor.caller.roles.includes('registrar')) {
    throw new AppError('FORBIDDEN', 'Only a registrar may create a registrar client');
  }
  if (input.roles.includes('registrar') && !org.roles.includes('regulator')) {
    throw invalid('Only a regulator\'s clients may hold the registrar role', [{ path: 'body.roles', message: 'registrar needs a regulator organisation' }]);
  }
  // The link with the national or provincial system is run by the authority, not by a regulated party.
  if (input.roles.includes('exchange') && !org.roles.includes('regulator')) {
    throw invalid('Only a regulator\'s clients may hold the exchange role', [{ path: 'body.roles', message: 'exchange needs a regulator organisation' }]);
  }
  const clientSecret = newSecret();
  const [row] = await cmd.tx.insert(clients).values({
    id: newClientId(), orgId, name: input.name, roles: [...new Set(input.roles)], kind: input.kind ?? 'system', secretHash: await hashSecret(clientSecret),
  }).returning();
  await cmd.audit({ chain: org.regionCode, entityType: 'client', entityId: row.id, action: 'create', after: view(row) });
  return withSecretOnce(row, clientSecret);
}

export async function listClients(db: DbOrTx, caller: Caller, orgId: string) {
  const org = await loadManagedOrg(db, caller, orgId);
  if (caller.orgId === org.id) requireClientRole(caller, 'admin');
  const rows = await db.select().from(clients).where(eq(clients.orgId, orgId)).orderBy(asc(clients.createdAt));
  return { items: rows.map(view) };
}

/** The client, locked, and its organisation, for a manager of it; 404 for anyone who may not see it. */
async function loadManagedClient(cmd: Command, clientId: string) {
  const { caller } = cmd.actor;
  const [row] = await cmd.tx.select().from(clients).where(eq(clients.id, clientId)).for('update');
  const org = row ? await findOrg(cmd.tx, row.orgId) : undefined;
  if (!row || !org || !(caller.orgId === org.id || supervises(caller, org.regionCode))) throw notFound('Client');
  requireClientManager(caller, org);
  return { row, org };
}

/**
 * A new secret for the client: the old one stops working at once, and so do access tokens issued
 * before this second (see ClientStatus). A client may rotate its own secret if it is the admin.
 */
export async function rotateSecret(cmd: Command, clientId: string) {
  const { row, org } = await loadManagedClient(cmd, clientId);
  if (row.disabledAt !== null) throw new AppError('CONFLICT', 'A disabled client cannot get a new secret');
  const clientSecret = newSecret();
  const [updated] = await cmd.tx.update(clients)
    .set({ secretHash: await hashSecret(clientSecret), secretRotatedAt: new Date() })
    .where(eq(clients.id, clientId)).returning();
  await cmd.audit({ chain: org.regionCode, entityType: 'client', entityId: clientId, action: 'rotate_secret', before: view(row), after: view(updated) });
  return withSecretOnce(updated, clientSecret);
}

export async function disableClient(cmd: Command, clientId: string) {
  const { row, org } = await loadManagedClient(cmd, clientId);
  const [updated] = await cmd.tx.update(clients).set({ disabledAt: new Date() })
    .where(and(eq(clients.id, clientId), isNull(clients.disabledAt))).returning();
  if (!updated) return view(row); // already disabled: nothing to change
  await cmd.audit({ chain: org.regionCode, entityType: 'client', entityId: clientId, action: 'disable', before: view(row), after: view(updated) });
  return view(updated);
}
