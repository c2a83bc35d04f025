import { orderKey, productKeys } from '../../src/catalog/gate/keys';
import { TakeStatus, takeOutcome } from '../../src/catalog/gate/scripts';
import { hashTag } from '../../src/lock/keys';

describe('the stock gate, pure parts', () => {
  const ids = ['p-1', 'p-2'];

  it('when take.lua answers, then each status code becomes the typed outcome naming the product', () => {
    expect(takeOutcome([TakeStatus.Taken], ids)).toEqual({ kind: 'taken' });
    expect(takeOutcome([TakeStatus.Miss, 1, 2], ids)).toEqual({ kind: 'miss', productIds: ids });
    expect(takeOutcome([TakeStatus.OutOfStock, 2], ids)).toEqual({
      kind: 'refused',
      refusal: { reason: 'out_of_stock', productId: 'p-2' },
    });
    expect(takeOutcome([TakeStatus.SaleNotStarted, 1, 1_700_000_000_123], ids)).toEqual({
      kind: 'refused',
      refusal: {
        reason: 'sale_not_started',
        productId: 'p-1',
        saleStartsAt: new Date(1_700_000_000_123),
      },
    });
    expect(takeOutcome([TakeStatus.LimitExceeded, 2, 3, 2], ids)).toEqual({
      kind: 'refused',
      refusal: { reason: 'purchase_limit_exceeded', productId: 'p-2', limit: 3, held: 2 },
    });
    expect(() => takeOutcome([9], ids)).toThrow('unexpected reply');
  });

  it('when keys are built for one merchant, then all share its hash tag (one Cluster slot)', () => {
    const a = productKeys('m-1', 'p-1');
    const b = productKeys('m-1', 'p-2');
    const tags = [a.state, a.holdings, b.state, b.holdings, orderKey('m-1', 'o-1')].map(hashTag);
    expect(new Set(tags)).toEqual(new Set(['m:m-1']));
    expect(a.state).toBe('gate:{m:m-1}:p:p-1');
    expect(() => productKeys('m{1}', 'p-1')).toThrow(TypeError);
  });
});
