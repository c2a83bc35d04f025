import { createConfig, lintFromString } from '@redocly/openapi-core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OPENAPI_FILE } from '../../src/cli/openapi';
import { STATUS_BY_CODE } from '../../src/errors';
import { buildOpenApiDocument } from '../../src/http/openapi/document';
import { ENDPOINTS } from '../../src/http/openapi/endpoints';
import { codesOf } from '../../src/http/openapi/endpoint';

/** Redocly's strictest built-in ruleset: every rule an error, `struct` checks OpenAPI 3.1 itself. */
async function lint(document: unknown) {
  const config = await createConfig({ extends: ['recommended-strict'] });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: 'openapi.json',
    config,
  });
  return problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
}

// @seriousme/openapi-schema-validator is ESM only, which jest's CommonJS runtime cannot
// load; a child node process runs it on the document (stdin) and prints its verdict.
const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const result = await new Validator().validate(JSON.parse(Buffer.concat(chunks).toString()));
process.stdout.write(JSON.stringify(result));
`;

/** Validates against the official OpenAPI 3.1 JSON Schema. */
function validate(document: unknown): { valid: boolean; errors?: unknown } {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATE], {
    cwd: path.resolve(__dirname, '../..'),
    input: JSON.stringify(document),
  });
  return JSON.parse(output.toString()) as { valid: boolean; errors?: unknown };
}

describe('the OpenAPI document', () => {
  it('when the code changes, then docs/openapi.json must be rewritten with `npm run openapi`', () => {
    const generated = JSON.stringify(buildOpenApiDocument());
    // Compared after parsing (formatting is Prettier's), but with the key order kept.
    const written = JSON.stringify(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    if (written !== generated)
      throw new Error('docs/openapi.json is out of date: run `npm run openapi` and commit it');
  });

  it("passes Redocly's recommended-strict rules, but for the 4XX rule on the operations endpoints", async () => {
    // /healthz, /readyz and /metrics never answer a 4XX (no token, no parameters, no
    // body): documenting one would be false, so that one finding is expected.
    const expected = ['/healthz', '/readyz', '/metrics'].map(
      (path) =>
        `operation-4xx-response #/paths/${path.replace('/', '~1')}/get/responses: Operation must have at least one \`4XX\` response.`,
    );
    expect((await lint(buildOpenApiDocument())).sort()).toEqual(expected.sort());
  });

  it('is valid under the official OpenAPI 3.1 JSON Schema', () => {
    expect(validate(buildOpenApiDocument())).toEqual({ valid: true });
  });

  it('when the document breaks the OpenAPI 3.1 structure, then both checks say so', async () => {
    const document = buildOpenApiDocument();
    const broken = {
      ...document,
      paths: { ...document.paths, '/v1/x': { get: { responses: { 200: { content: 'json' } } } } },
    };
    const problems = await lint(broken);
    expect(problems.some((p) => p.startsWith('struct #/paths/~1v1~1x'))).toBe(true);
    expect(validate(broken).valid).toBe(false);
  });

  it('documents every error code of src/errors.ts on some endpoint (not_found: no route)', () => {
    const documented = new Set(ENDPOINTS.flatMap(codesOf));
    const missing = Object.keys(STATUS_BY_CODE).filter(
      (code) => code !== 'not_found' && !documented.has(code as keyof typeof STATUS_BY_CODE),
    );
    expect(missing).toEqual([]);
  });

  it('gives every endpoint a unique operationId, and every /v1 one a 429', () => {
    const ids = ENDPOINTS.map((e) => e.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const paths = buildOpenApiDocument().paths ?? {};
    for (const e of ENDPOINTS.filter((e) => e.path.startsWith('/v1/'))) {
      expect(Object.keys(paths[e.path]?.[e.method]?.responses ?? {})).toContain('429');
    }
  });
});
