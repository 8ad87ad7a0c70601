// What a regulator receives of a checkpoint: only the chains of its jurisdiction, still signed.
//
// The stored checkpoint signs every chain in one document, and a JWS payload is only base64: handing
// it to a district regulator would hand over every district's heads. So:
// - a regulator whose jurisdiction covers every chain of the checkpoint (the city's) receives the
//   stored checkpoint itself;
// - any other regulator receives a statement signed for it on request: the same `iss`, `iat` and
//   head values as the stored checkpoint, only its chains, plus `jurisdiction` (so the statement
//   also says that no other chain of that jurisdiction existed) and `checkpoint`, the SHA-256 of the
//   stored JWS (so it can be matched with the full document later). Its own `typ` keeps it from
//   ever passing for a full checkpoint. Nothing is stored: Ed25519 signatures are deterministic, so
//   asking again gives the same JWS until a new checkpoint is signed.
// A Merkle tree over the chains would let one signature serve every district, at the price of a
// proof format every verifier must implement; a plain JWS verifies with any JOSE library.
import { createHash } from 'node:crypto';
import type { KeyRing } from '../auth/keys.js';
import { inJurisdiction } from '../catalog/regions.js';
import { signPayload, type Checkpoint, type CheckpointPayload } from './checkpoints.js';

/** The `typ` of a statement that covers only the chains of one jurisdiction. */
export const CHECKPOINT_VIEW_TYP = 'audit-checkpoint-view+jwt';

export interface CheckpointViewPayload extends CheckpointPayload {
  /** Region-code prefix whose chains (and only those) the statement lists. */
  jurisdiction?: string;
  /** base64url SHA-256 of the full stored checkpoint JWS the heads come from. */
  checkpoint?: string;
}

export interface CheckpointView { jws: string; payload: CheckpointViewPayload }

export async function checkpointViewFor(keys: KeyRing, cp: Checkpoint, jurisdiction: string): Promise<CheckpointView> {
  const mine = cp.payload.chains.filter((c) => inJurisdiction(jurisdiction, c.chain));
  if (mine.length === cp.payload.chains.length) return cp;
  const payload: CheckpointViewPayload = {
    iss: cp.payload.iss,
    iat: cp.payload.iat,
    jurisdiction,
    checkpoint: createHash('sha256').update(cp.jws).digest('base64url'),
    chains: mine,
  };
  return { jws: await signPayload(keys, payload, CHECKPOINT_VIEW_TYP), payload };
}
