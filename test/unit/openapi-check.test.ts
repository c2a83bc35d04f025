import { randomUUID } from 'node:crypto';
import { buildOpenApiDocument } from '../../src/http/openapi/document';
import { OpenApiChecker, type ResponseLike } from '../helpers/openapi-check';

const checker = new OpenApiChecker(buildOpenApiDocument());
const at = '2026-11-23T05:00:00.000Z';
const product = {
  id: randomUUID(),
  merchantId: 'merchant-1',
  sku: 'mug-1',
  name: 'Mug',
  priceCents: 1250,
  currency: 'USD',
  stock: 10,
  perBuyerLimit: null,
  saleStartsAt: null,
  giftProductId: null,
  createdAt: at,
  updatedAt: at,
};

function response(
  path: string,
  status: number,
  body: unknown,
  type = 'application/json; charset=utf-8',
  headers: Record<string, string> = {},
): ResponseLike {
  return {
    status,
    headers: { 'content-type': type, ...headers },
    text: JSON.stringify(body),
    request: { method: 'GET', url: `http://127.0.0.1:3000${path}` },
  };
}

const problem = (status: number, code: string) => ({
  type: `https://docs.orders.example/problems/${code}`,
  title: 'Problem',
  status,
  detail: 'Something.',
  code,
});

describe('the OpenAPI response checker', () => {
  const path = `/v1/products/${product.id}`;

  it('when a response conforms, then it finds nothing', () => {
    expect(checker.problemsWith(response(path, 200, product))).toEqual([]);
    const notFound = problem(404, 'product_not_found');
    expect(checker.problemsWith(response(path, 404, notFound, 'application/problem+json'))).toEqual(
      [],
    );
  });

  it('when a required field is missing, then it names the field', () => {
    const partial: Partial<typeof product> = { ...product };
    delete partial.stock;
    expect(checker.problemsWith(response(path, 200, partial)).join()).toMatch(/stock/);
  });

  it('when a field is not in the schema or has the wrong type, then it says so', () => {
    expect(checker.problemsWith(response(path, 200, { ...product, extra: 1 }))).not.toEqual([]);
    expect(checker.problemsWith(response(path, 200, { ...product, stock: '10' }))).not.toEqual([]);
  });

  it('when the status is not documented for the operation, then it says so', () => {
    expect(checker.problemsWith(response(path, 409, problem(409, 'sku_exists')))).toEqual([
      `GET ${path} -> 409: status not documented for /v1/products/{id}`,
    ]);
  });

  it("when a problem's code is not one that status lists for the endpoint, then it says so", () => {
    const wrong = problem(404, 'order_not_found');
    const found = checker.problemsWith(response(path, 404, wrong, 'application/problem+json'));
    expect(found.join()).toMatch(/code must be equal to one of the allowed values/);
  });

  it('when the content type or a documented header is wrong, then it says so', () => {
    expect(checker.problemsWith(response(path, 200, product, 'text/html'))).not.toEqual([]);
    const busy = {
      ...response(`/v1/orders/${product.id}/pay`, 409, problem(409, 'order_busy')),
      request: { method: 'POST', url: `/v1/orders/${product.id}/pay?x=1` },
    };
    busy.headers = { 'content-type': 'application/problem+json', 'retry-after': '0' };
    expect(checker.problemsWith(busy).join()).toMatch(/Retry-After/);
  });

  it('when no operation has the path or method, then it says so', () => {
    expect(checker.problemsWith(response('/v1/nothing', 200, {}))).toEqual([
      'GET /v1/nothing -> 200: no documented operation',
    ]);
  });
});
