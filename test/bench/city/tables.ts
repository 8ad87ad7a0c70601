// The column order of every table the generator loads with COPY (the rows are written in this order).
import { AUDIT_COLUMNS } from './audit-log.js';
import { CopyTable } from './copy.js';

const COLUMNS = {
  organisations: 'id uscc name roles region_code generator_class medical_tier contact_name contact_phone address created_at version',
  clients: 'id org_id name roles secret_hash disabled_at created_at secret_rotated_at',
  sites: 'id org_id name address region_code is_default created_at',
  facilities: 'id org_id site_id code name kind storage_type capacity_kg methods created_at',
  licences: 'id org_id site_id kind number modes waste_codes annual_capacity_kg valid_from valid_to status region_code created_at version',
  vehicles: 'id org_id licence_id plate created_at',
  labels: 'id digital_code qr_token generator_id holder_id region_code waste_code category waste_name physical_form hazards main_components '
    + 'harmful_components precautions quantity_kg packaging_type volume_l generated_at generated_on sequence facility_id remarks state version '
    + 'parent_id open_manifest_id has_left_generator holder_region_code held_since last_step_at created_at step_count catalogue_edition',
  label_steps: 'id label_id seq action from_state to_state org_id client_id manifest_id facility_id method lat lng occurred_at recorded_at request_id details',
  ledger_records: 'id org_id label_id step_id kind batch_code occurred_at waste_code waste_name category physical_form quantity_kg digital_code '
    + 'facility_code method counterparty_name manifest_number operator_client_id created_at',
  manifests: 'id number state generator_id receiver_id region_code receiver_region_code planned_at exemption_id intended_method emergency_measures '
    + 'discrepant current_carrier submitted_at picked_up_at delivered_at receipt_due_on received_at completed_at cancel_reason version created_at '
    + 'updated_at discrepancy_reviewed_at discrepancy_review_note receipt_recorded_at receipt_late',
  manifest_labels: 'manifest_id label_id declared_kg accepted measured_kg refusal_reason',
  manifest_carriers: 'manifest_id position org_id vehicle_plate driver_name driver_qualification_no took_over_at',
  manifest_steps: 'id manifest_id action from_state to_state org_id client_id occurred_at recorded_at request_id details',
  ledger_serials: 'org_id kind day last',
  label_sequences: 'generator_id waste_code day last',
  audit_entries: AUDIT_COLUMNS.join(' '),
} as const;

export type TableName = keyof typeof COLUMNS;

export async function openTables(url: string): Promise<Record<TableName, CopyTable>> {
  const entries = await Promise.all(Object.entries(COLUMNS).map(async ([t, cols]) => [t, await CopyTable.open(url, t, cols.split(' '))] as const));
  return Object.fromEntries(entries) as Record<TableName, CopyTable>;
}
