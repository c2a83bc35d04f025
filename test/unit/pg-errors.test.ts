import { isDbUnavailable, uniqueViolation } from '../../src/db/pg-errors';

describe('what a PostgreSQL error means', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a terminated backend (pg_terminate_backend)',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ["pg's connect time-out (no code)", new Error('timeout expired')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    [
      'a deadlock the server broke',
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
    ],
    ['a serialization failure', Object.assign(new Error('could not serialize'), { code: '40001' })],
    [
      'a pool that gave no connection in time',
      Object.assign(new Error('Knex: Timeout acquiring'), { name: 'KnexTimeoutError' }),
    ],
  ])('when %s, then the database counts as unavailable (503, retry)', (_name, error) => {
    expect(isDbUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a check violation', Object.assign(new Error('violates check'), { code: '23514' })],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error at all', 'oops'],
  ])('when %s, then it does not', (_name, error) => {
    expect(isDbUnavailable(error)).toBe(false);
  });

  it('names the unique constraint a 23505 broke', () => {
    expect(
      uniqueViolation(
        Object.assign(new Error(), {
          code: '23505',
          constraint: 'products_merchant_id_sku_unique',
        }),
      ),
    ).toBe('products_merchant_id_sku_unique');
    expect(
      uniqueViolation(Object.assign(new Error(), { code: '23514', constraint: 'x' })),
    ).toBeUndefined();
  });
});
