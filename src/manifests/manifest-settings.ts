// The configuration the manifest steps run with, built once for each route module that runs them.
import type { AppContext } from '../context.js';
import type { ManifestSettings } from './steps/manifest-step.js';

/** What the manifest steps take from the configuration, for every route that runs them. */
export function manifestSettings(ctx: AppContext): ManifestSettings {
  return {
    keys: ctx.keys,
    occurredAtWindowDays: ctx.config.occurredAtWindowDays,
    paperBackEntryWindowDays: ctx.config.paperBackEntryWindowDays,
    receiptWorkingDays: ctx.config.receiptWorkingDays,
    weightTolerancePct: ctx.config.weightTolerancePct,
    externalReceipt: { baseUrl: ctx.config.publicBaseUrl, linkHours: ctx.config.externalReceiptLinkHours },
  };
}
