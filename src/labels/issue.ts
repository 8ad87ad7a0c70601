// Issuing HJ 1276 labels: one or a batch (all or nothing), each with its digital code and signed QR.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { facilities, labels } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { invalid, ruleViolation, type FieldError } from '../core/errors.js';
import { requireClientRole, requireOrgRole, WRITE_ROLES } from '../auth/roles.js';
import type { KeyRing } from '../auth/keys.js';
import { editionOn, findWasteCode, requiresIdentificationReport } from '../catalog/catalog.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { findOrg } from '../parties/organisations.js';
import { digitalCode, MAX_DAILY_SEQUENCE } from './digital-code.js';
import { signLabelToken } from './qr-token.js';
import { ISSUE, recordCustodySteps, type CustodyStep } from './custody.js';
import { insertJsonRows, jsonRecord, run } from '../db/statements.js';
import type { LabelRow } from './label-view.js';
import type { NewLabel } from './schemas.js';

const INSERT_LABELS = insertJsonRows('labels_insert', labels, 'id, quantity_kg AS "quantityKg", volume_l AS "volumeL"');

/** How far back a generation date may go: existing stock can be labelled for up to a year. */
const MAX_BACKDATE_MS = 366 * 86_400_000;

function checkItem(item: NewLabel, path: string, now: Date) {
  const errors: FieldError[] = [];
  const generatedAt = item.generatedAt ? new Date(item.generatedAt) : now;
  // The code is classified under the edition in force on the day the waste was generated
  // (docs/regulations.md#catalogue-editions), and the label records which one that was.
  const edition = editionOn(shanghaiDate(generatedAt));
  const code = findWasteCode(item.wasteCode, edition);
  if (!code) errors.push({ path: `${path}.wasteCode`, message: `${item.wasteCode} is not in the National Hazardous Waste List (${edition} edition)` });
  if (requiresIdentificationReport(item.wasteCode) && !item.identificationReportNo) {
    errors.push({ path: `${path}.identificationReportNo`, message: `is required for ${item.wasteCode}: 900-000-XX is the code of waste found hazardous by a 危险废物鉴别, so the label names its report` });
  }
  if (generatedAt.getTime() > now.getTime() + 120_000) errors.push({ path: `${path}.generatedAt`, message: 'lies in the future' });
  if (generatedAt.getTime() < now.getTime() - MAX_BACKDATE_MS) errors.push({ path: `${path}.generatedAt`, message: 'more than a year in the past' });
  if (errors.length) throw invalid(errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  const hazards = item.hazards?.length ? item.hazards : code!.hazards;
  return { code: code!, generatedAt, hazards, edition };
}

export async function issueLabels(cmd: Command, keys: KeyRing, items: NewLabel[]): Promise<LabelRow[]> {
  const { tx, actor } = cmd;
  const { caller } = actor;
  requireOrgRole(caller, 'generator', 'collector');
  requireClientRole(caller, ...WRITE_ROLES);
  const org = (await findOrg(tx, caller.orgId))!;
  const now = new Date();
  const checked = items.map((item, i) => ({ item, ...checkItem(item, items.length > 1 ? `body.items.${i}` : 'body', now) }));

  const facilityIds = [...new Set(items.map((i) => i.facilityId).filter((f): f is string => Boolean(f)))];
  for (const fid of facilityIds) {
    const [f] = await tx.select({ id: facilities.id }).from(facilities).where(and(eq(facilities.id, fid), eq(facilities.orgId, org.id)));
    if (!f) throw invalid(`Facility ${fid} is not one of your facilities`, [{ path: 'body.facilityId', message: 'not your facility' }]);
  }

  // One sequence range per (waste code, day): taken under the counter row's lock, so concurrent
  // requests get consecutive, distinct numbers; a rollback gives the range back.
  const groups = new Map<string, number[]>();
  checked.forEach((c, i) => {
    const k = `${c.code.code}|${shanghaiDate(c.generatedAt)}`;
    const group = groups.get(k);
    if (group) group.push(i);
    else groups.set(k, [i]);
  });
  const sequences: number[] = [];
  for (const [k, idxs] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [code, day] = k.split('|');
    const { rows } = await tx.execute<{ last: number }>(sql`
      INSERT INTO label_sequences (generator_id, waste_code, day, last) VALUES (${org.id}, ${code}, ${day}, ${idxs.length})
      ON CONFLICT (generator_id, waste_code, day) DO UPDATE SET last = label_sequences.last + ${idxs.length}
      RETURNING last`);
    const last = rows[0].last;
    if (last > MAX_DAILY_SEQUENCE) {
      throw ruleViolation('daily_sequence_exhausted',
        `At most ${MAX_DAILY_SEQUENCE} labels per unit, waste code and day: ${code} on ${day} would reach ${last}`, { wasteCode: code, day });
    }
    idxs.forEach((idx, j) => { sequences[idx] = last - idxs.length + 1 + j; });
  }

  const rows: LabelRow[] = [];
  for (const [i, c] of checked.entries()) {
    const day = shanghaiDate(c.generatedAt);
    const id = randomUUID();
    const dc = digitalCode(org.uscc, c.code.code, day, sequences[i]);
    rows.push({
      id,
      digitalCode: dc,
      qrToken: signLabelToken(keys, { lid: id, dc }),
      generatorId: org.id,
      holderId: org.id,
      regionCode: org.regionCode,
      holderRegionCode: org.regionCode,
      wasteCode: c.code.code,
      category: c.code.category,
      wasteName: c.item.wasteName ?? c.code.description,
      physicalForm: c.item.physicalForm,
      hazards: c.hazards,
      mainComponents: c.item.mainComponents,
      harmfulComponents: c.item.harmfulComponents,
      precautions: c.item.precautions ?? '',
      quantityKg: c.item.quantity.unit === 't' ? c.item.quantity.value * 1000 : c.item.quantity.value,
      packagingType: c.item.packaging.type,
      volumeL: c.item.packaging.volumeL ?? null,
      generatedAt: c.generatedAt,
      generatedOn: day,
      sequence: sequences[i],
      facilityId: c.item.facilityId ?? null,
      remarks: c.item.remarks ?? '',
      state: 'issued',
      parentId: null,
      openManifestId: null,
      hasLeftGenerator: false,
      version: 0, // the row before its issue step, which the step is planned on
      stepCount: 0,
      heldSince: c.generatedAt,
      lastStepAt: c.generatedAt,
      // Set here, at millisecond precision, so that a list cursor (which carries JSON times) is exact.
      createdAt: now,
      catalogueEdition: c.edition,
      identificationReportNo: c.item.identificationReportNo ?? null,
    });
  }
  // Inserted as their first step leaves them (version and step count 1; the step writer leaves such
  // a row as it is, migration 0030), then the step is recorded like every other: its step 1, its
  // generation record (产生, HWCS) and its audit entry.
  // The numbers come back as stored (numeric rounds to its scale); every other column is as sent.
  const stored = new Map((await run<{ id: string; quantityKg: number; volumeL: number | null }>(tx, INSERT_LABELS,
    [JSON.stringify(rows.map((r) => jsonRecord(labels, { ...r, version: 1, stepCount: 1 })))])).map((r) => [r.id, r]));
  const fresh = rows.map((r) => ({ ...r, ...stored.get(r.id) })); // in request order
  const created = await recordCustodySteps(cmd, fresh.map((label, i): CustodyStep => ({
    label, action: ISSUE, orgId: org.id, occurredAt: label.generatedAt, facilityId: label.facilityId,
    // B.1: the generating facility's code and the container's 去向.
    ledger: [{ orgId: org.id, kind: 'HWCS', facilityCode: items[i].generatingFacilityCode, destination: items[i].destination ?? 'storage' }],
  })));
  return created;
}
