// npm run db:migrate: applies the committed migrations to DATABASE_URL (or the embedded server).
import path from 'node:path';
import { loadConfig } from '../config.js';
import { connect } from '../db/database.js';
import { runMigrations } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../db/embedded.js';

const config = loadConfig();
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'));
const database = connect(config.databaseUrl ?? embedded!.url, 1);
await runMigrations(database.db);
await database.close();
await embedded?.stop();
process.stdout.write('migrations applied\n');
