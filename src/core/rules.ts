// Every business rule a request can be refused under: the `rule` of a 422 RULE_VIOLATION, or of a
// 409 ILLEGAL_TRANSITION when a step is withdrawn for a reason beyond the state (or of a 409
// CONFLICT over an official number). A typed list, so a
// refusal names only a documented rule; the OpenAPI document publishes it as the Problem's `rule`
// enum, and docs/errors-and-retries.md lists it with these meanings (a test keeps them in step).
export const RULES = {
  // Labels and custody steps
  facility: 'The facility named is not a facility of the holder of the kind the step needs',
  facility_method: 'The treatment facility does not run the method named',
  method_category: 'A medical-waste method (Y…) named for waste that is not HW01',
  treatment_licence: 'The holder has no operating licence (or exemption) for this treatment of this waste',
  consolidation_parent: 'The parent container is not held by the same unit, holds another category, or cannot take more',
  void_with_contents: 'Containers were consolidated into this label, so it cannot be voided',
  void_after_transfer: 'The container has left its generator, so the label can no longer be voided',
  on_open_manifest: 'The container is on an open manifest: only storing it is allowed until the manifest ends',
  daily_sequence_exhausted: 'The unit has issued 999 labels for this waste code today (the digital code has 3 digits)',
  // Manifests
  labels_unavailable: 'A container is not the generator\'s, not in a shippable state, or already on another open manifest',
  receiver_role: 'The receiver is not a registered receiver or collector, or is the generator itself',
  carrier_role: 'A carrier is not a registered carrier',
  not_generator: 'Only the generator edits its manifest',
  licence_coverage: 'The receiver holds no operating licence covering a waste code',
  licence_suspended: 'The receiver\'s licence covering a waste code is suspended or revoked',
  licence_expired: 'The receiver\'s licence covering a waste code is not valid on the planned date',
  licence_mode: 'The receiver\'s licence lacks the mode the intended method needs',
  capacity: 'The receiver\'s licence would exceed its annual capacity with this manifest',
  exemption: 'The exemption named does not cover this generator, receiver, waste code and date',
  carrier_licence: 'A carrier has no valid transport licence',
  vehicle_unregistered: 'The vehicle is not registered to the carrier',
  vehicle_licence: 'The vehicle\'s transport licence is not valid',
  scan_mismatch: 'The containers scanned at pickup differ from the manifest\'s',
  carrier_order: 'The last carrier delivers only after the load was handed over to it',
  receipt_items: 'A receipt must list every container of the manifest exactly once',
  manifest_serials_exhausted: 'The city has used every manifest number of the year',
  paper_number_taken: 'A manifest with this paper form number is already entered',
  paper_scan_type: 'The scan is not a PDF, PNG or JPEG file, or its content does not match its Content-Type',
  paper_scan_too_large: 'The scan is larger than PAPER_SCAN_MAX_BYTES',
  paper_scan_exists: 'The manifest\'s paper form scan is already stored; it is never replaced',
  not_paper_manifest: 'The manifest was not entered from a paper form',
  revision_state: 'A correction is for a manifest with its receipt recorded: received, rejected or completed (not a draft, an open transfer or a cancelled one)',
  revision_open: 'The manifest already has an open revision request; it must be decided or withdrawn first',
  revision_field: 'The revision names a field that cannot be corrected, a container not on the manifest (or now on another open one), or a value the field cannot take',
  revision_party: 'Only a party of the manifest proposes a revision; only the parties asked (or the generator\'s regulator, to refuse) decide it, once; only the proposer withdraws it',
  revision_closed: 'The revision request is no longer open',
  revision_outcome_custody: 'A receipt outcome is corrected only while the container is where the receipt left it: accepted and still received at the receiver (not stored, treated or shipped on), or refused and still waiting there (on no return manifest)',
  return_original: 'The original manifest of a return is not the generator\'s or has no receipt yet',
  return_receiver: 'A return goes back to the generator or on to another receiver, not to the receiver that refused the containers',
  emergency_measures: 'The manifest states no emergency measures (转移管理办法 Art. 10: the shipper fills them in)',
  calendar_not_covered: 'A deadline falls in a year whose official working-day calendar is not loaded',
  // Parties beyond the jurisdiction and cross-province transfers (docs/regulations.md#external-parties)
  external_in_jurisdiction: 'An external party must be outside the registrar\'s jurisdiction; a party inside it is registered as one of ours',
  external_no_clients: 'An external party has no clients on this platform; it confirms receipts through signed links',
  cross_province_approval_missing: 'A transfer to another province needs a cross-province approval (跨省转移) for this generator and receiver',
  cross_province_approval_expired: 'The cross-province approvals for this generator and receiver are not valid on the planned date',
  cross_province_approval_code: 'No cross-province approval valid on the planned date covers a waste code of the manifest',
  cross_province_approval_quantity: 'The cross-province approval has not enough quantity left for this manifest',
  cross_province_approval_scope: 'A cross-province approval is for a generator of this jurisdiction and a receiver in another province, valid at most 12 months',
  receipt_link_used: 'The receipt link was already used: a receipt is recorded once',
  receipt_link_expired: 'The receipt link has expired',
  receipt_copy_missing: 'The generator records an external receiver\'s receipt only with the scan of the returned paper copy',
  receipt_copy_exists: 'The scan of the returned paper copy is already stored; it is never replaced',
  not_external_receipt: 'The manifest\'s receiver is not an external party, or the manifest is not awaiting its receipt',
  // Parties and supervision
  holder_role: 'The organisation does not have the role this record needs',
  licence_revoked: 'A revoked licence cannot change status',
  site: 'The site named is not a site of the organisation',
  not_discrepant: 'The manifest has no discrepancy to review',
  emergency_plan_expired: 'The emergency plan filing registered has already expired',
  emergency_plan_dates: 'The emergency plan filing date is after today',
  storage_extension_scope: 'A storage extension is for a holder of an operating licence, and covers containers it holds or one of its storage facilities',
  // Official 联单 numbers from the national or provincial system (docs/regulations.md#official-numbers)
  official_number_state: 'An official number is recorded for a submitted manifest (one with our number), not a draft',
  official_number_region: 'A national number names the city the waste leaves (转移管理办法 Art. 15, digits 5–8): it must be the generator\'s',
  official_number_taken: 'Another manifest already holds this official number in this system (a 409 CONFLICT)',
  official_number_assigned: 'The manifest already holds another number in this system; a correction states its reason (a 409 CONFLICT)',
  // GPS tracks (docs/regulations.md#route-record)
  track_leg: 'Track fixes are posted by a carrier of the manifest that has taken over the load, for its own leg',
  // Management plans and declarations (docs/regulations.md#management-plans, #declarations)
  plan_row: 'An edit names an in-house or transfer row that last year\'s records do not have',
  change_reason: 'A change to a submitted plan or declaration is a new version and states its reason (changeReason)',
  period_not_ended: 'A declaration is for a period that has ended',
  period_kind: 'The site\'s management class does not declare periods of this kind (monthly: key supervision; quarterly: simplified; yearly: all)',
  // Webhook subscriptions (400 VALIDATION_FAILED naming the rule; docs/events.md#webhook-urls)
  webhook_url_scheme: 'A webhook URL must be an absolute http or https URL',
  webhook_url_credentials: 'A webhook URL must not carry credentials (user:password@)',
  webhook_url_private: 'A webhook URL must not point to a private, loopback or link-local address unless WEBHOOK_ALLOW_PRIVATE allows it',
} as const;

export type RuleCode = keyof typeof RULES;
export const RULE_CODES = Object.keys(RULES) as RuleCode[];
