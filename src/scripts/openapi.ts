// npm run openapi: writes the OpenAPI document generated from the route schemas.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenapi } from './openapi-document.js';

const out = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));
fs.writeFileSync(out, await renderOpenapi());
process.stdout.write(`wrote ${out}\n`);
