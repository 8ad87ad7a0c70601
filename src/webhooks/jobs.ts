// The webhook relay's jobs, added to the service's job registry (src/jobs/registry.ts).
import { sql } from 'drizzle-orm';
import type { JobRegistry } from '../jobs/registry.js';
import { deliverTask, redeliverTask, type RelayDeps } from './deliver.js';
import { DELIVER_TASK, REDELIVER_TASK } from './relay-state.js';

const DROP_SECRETS_TASK = 'webhook_drop_expired_secrets';

export function registerWebhookJobs(registry: JobRegistry, deps: RelayDeps): void {
  registry.task(DELIVER_TASK, deliverTask(deps));
  registry.task(REDELIVER_TASK, redeliverTask(deps));
  // A rotated-out secret stops signing when its overlap ends (deliver.ts checks the time); this
  // drops it from the database too.
  registry.task(DROP_SECRETS_TASK, async () => {
    await deps.db.execute(sql`UPDATE webhook_subscriptions SET previous_secret_enc = NULL, previous_secret_until = NULL
      WHERE previous_secret_until <= now()`);
  });
  registry.cron({ task: DROP_SECRETS_TASK, match: '*/10 * * * *', identifier: DROP_SECRETS_TASK });
}
