import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from 'openapi3-ts/oas31';

/** What the checker reads of a response: a supertest response has all of it. */
export interface ResponseLike {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
  /** `url` as supertest gives it: absolute, with the query. */
  request: { method: string; url: string };
}

interface Operation {
  template: string;
  responses: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** A copy of `schema` whose component references point into its own `$defs`. */
const localRefs = (schema: unknown): Json =>
  JSON.parse(
    JSON.stringify(schema ?? {}).replaceAll('"#/components/schemas/', '"#/$defs/'),
  ) as Json;

/**
 * Checks HTTP responses against an OpenAPI 3.1 document: the status must be documented
 * for the path and method, the content type must be one the document gives for it, the
 * body must match that media type's schema (JSON Schema 2020-12, checked by ajv), and
 * documented headers that are present must match theirs.
 */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  private readonly defs: Json;
  private readonly validators = new Map<string, ValidateFunction>();
  /** `"<method> <path template> <status>"` of every response that passed. */
  readonly passed = new Set<string>();

  constructor(private readonly doc: OpenAPIObject) {
    addFormats(this.ajv);
    // OpenAPI's own annotation keyword; it asserts nothing.
    this.ajv.addKeyword('example');
    // Each body schema is compiled on its own with the components as its `$defs`.
    this.defs = localRefs(doc.components?.schemas);
  }

  /** Every way `res` departs from the document; empty when it conforms. */
  problemsWith(res: ResponseLike): string[] {
    const method = res.request.method.toLowerCase();
    const path = new URL(res.request.url, 'http://localhost').pathname;
    const operation = this.operationOf(method, path);
    const where = `${method.toUpperCase()} ${path} -> ${res.status}`;
    if (!operation) return [`${where}: no documented operation`];
    const status = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find(
      (s) => s in operation.responses,
    );
    if (!status) return [`${where}: status not documented for ${operation.template}`];
    const base = ['paths', operation.template, method, 'responses', status];
    const response = this.deref(operation.responses[status]);
    const problems = [
      ...this.headerProblems(res, response),
      ...this.bodyProblems(res, response, base),
    ].map((p) => `${where}: ${p}`);
    if (problems.length === 0) this.passed.add(`${method} ${operation.template} ${res.status}`);
    return problems;
  }

  /** Throws an error listing every problem of `res` (and its body, to debug). */
  check(res: ResponseLike): void {
    const problems = this.problemsWith(res);
    if (problems.length > 0)
      throw new Error(`${problems.join('\n')}\nbody: ${(res.text ?? '').slice(0, 2000)}`);
  }

  /** `"<method> <template>"` of every documented operation. */
  operations(): string[] {
    return Object.entries(this.doc.paths ?? {}).flatMap(([template, item]) =>
      Object.keys(item as Json)
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((method) => `${method} ${template}`),
    );
  }

  private operationOf(method: string, path: string): Operation | undefined {
    // Literal segments win over parameters: /v1/orders/{id}/pay before /v1/orders/{id}/{x}.
    const templates = Object.keys(this.doc.paths ?? {}).sort(
      (a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0),
    );
    for (const template of templates) {
      const pattern = template
        .split(/\{[^}]+\}/)
        .map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+');
      const item = this.doc.paths?.[template] as Record<string, { responses?: Json }> | undefined;
      const responses = item?.[method]?.responses;
      if (responses && new RegExp(`^${pattern}$`).test(path)) return { template, responses };
    }
    return undefined;
  }

  private headerProblems(res: ResponseLike, response: Json): string[] {
    const headers = (response.headers ?? {}) as Record<string, unknown>;
    return Object.entries(headers).flatMap(([name, ref]) => {
      const header = this.deref(ref);
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) return header.required === true ? [`header ${name} missing`] : [];
      const schema = header.schema as Json;
      const typed = schema.type === 'integer' ? Number(value) : value;
      const validate = this.ajv.compile(schema);
      return validate(typed) ? [] : [`header ${name}: ${this.ajv.errorsText(validate.errors)}`];
    });
  }

  private bodyProblems(res: ResponseLike, response: Json, base: string[]): string[] {
    const content = response.content as Record<string, unknown> | undefined;
    const text = res.text ?? '';
    if (!content) return text === '' ? [] : ['a body where the document gives none'];
    const header = res.headers['content-type'];
    const mediaType = String(header ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (!mediaType || !(mediaType in content))
      return [`content type ${String(header)} is not one of ${Object.keys(content).join(', ')}`];
    let body: unknown = text;
    if (/[/+]json$/.test(mediaType)) {
      try {
        body = JSON.parse(text);
      } catch {
        return ['the body is not JSON'];
      }
    }
    const validate = this.validator([...base, mediaType].join(' '), content[mediaType]);
    return validate(body) ? [] : [`body: ${this.ajv.errorsText(validate.errors)}`];
  }

  private validator(key: string, mediaTypeObject: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      const schema = localRefs((mediaTypeObject as Json | undefined)?.schema);
      validate = this.ajv.compile({ ...schema, $defs: this.defs });
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** Follows a local `$ref` (response and header objects may be references). */
  private deref(value: unknown): Json {
    const ref = (value as Json | undefined)?.$ref;
    if (typeof ref !== 'string') return (value ?? {}) as Json;
    const parts = ref.replace(/^#\//, '').split('/');
    const target = parts.reduce<unknown>(
      (node, part) => (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
      this.doc,
    );
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    return this.deref(target);
  }
}
