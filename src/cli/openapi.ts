/**
 * Writes the OpenAPI document to docs/openapi.json: `npm run openapi`. A unit test fails
 * when the file no longer matches what the code generates.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../http/openapi/document';

export const OPENAPI_FILE = path.resolve(__dirname, '../../docs/openapi.json');

/** The document as the file holds it: JSON formatted by Prettier with the project's settings. */
export async function renderOpenApi(): Promise<string> {
  // Prettier 3 is ESM at heart; a dynamic import keeps it out of the service's start-up.
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(OPENAPI_FILE);
  return prettier.format(JSON.stringify(buildOpenApiDocument()), {
    ...options,
    filepath: OPENAPI_FILE,
  });
}

if (require.main === module) {
  renderOpenApi().then(
    (text) => {
      writeFileSync(OPENAPI_FILE, text);
      process.stdout.write('docs/openapi.json: written from the zod schemas in src/http/schemas\n');
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
