// What the printed manifest (manifest-pdf.ts) shows, read in one snapshot: the manifest in the shape
// of the national 联单 (national-record.ts: parties with USCC, licences and contacts, carriers with
// vehicles and drivers, containers, steps) plus what a driver's copy adds — each container's waste
// name, and for each step the client that recorded it and the person who handled it (经办人).
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { clients, labels, labelSteps, manifestSteps } from '../db/schema.js';
import type { Caller } from '../auth/roles.js';
import { nationalRecord } from './national-record.js';

export type NationalRecord = Awaited<ReturnType<typeof nationalRecord>>;

export interface PrintedStep {
  action: string;
  occurredAt: Date;
  orgId: string;
  clientName: string | null;
  handledBy: string | null;
  details: Record<string, unknown>;
}

export interface PrintableManifest {
  record: NationalRecord;
  /** Waste name of each container, by digital code. */
  wasteNames: Map<string, string>;
  steps: PrintedStep[];
}

/** Reads the printable manifest the caller may see (404 otherwise), all parts from one snapshot. */
export function readPrintableManifest(db: Db, caller: Caller, id: string): Promise<PrintableManifest> {
  return db.transaction(async (tx) => {
    const record = await nationalRecord(tx, caller, id);
    const codes = record.containers.map((c) => c.digitalCode);
    const names = codes.length === 0 ? [] : await tx.select({ digitalCode: labels.digitalCode, wasteName: labels.wasteName })
      .from(labels).where(inArray(labels.digitalCode, codes));
    const steps = await tx.select({
      action: manifestSteps.action, occurredAt: manifestSteps.occurredAt, orgId: manifestSteps.orgId,
      clientName: clients.name, requestId: manifestSteps.requestId, details: manifestSteps.details,
    }).from(manifestSteps).leftJoin(clients, eq(clients.id, manifestSteps.clientId))
      .where(eq(manifestSteps.manifestId, id)).orderBy(asc(manifestSteps.id));
    // The handler a handset named is kept on the container steps of the same request.
    const handled = await tx.selectDistinctOn([labelSteps.requestId], {
      requestId: labelSteps.requestId, name: sql<string>`${labelSteps.details}->>'handledBy'`,
    }).from(labelSteps)
      .where(and(eq(labelSteps.manifestId, id), isNotNull(labelSteps.requestId), sql`${labelSteps.details} ? 'handledBy'`))
      .orderBy(labelSteps.requestId);
    const handlerOf = new Map(handled.map((h) => [h.requestId, h.name]));
    return {
      record,
      wasteNames: new Map(names.map((n) => [n.digitalCode, n.wasteName])),
      steps: steps.map((s) => ({
        action: s.action, occurredAt: s.occurredAt, orgId: s.orgId, clientName: s.clientName,
        handledBy: (s.requestId !== null ? handlerOf.get(s.requestId) : undefined) ?? null,
        details: (s.details ?? {}) as Record<string, unknown>,
      })),
    };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}
