import { couponKeys, orderKey, productKeys } from '../../src/catalog/gate/keys';
import { ClaimStatus, TakeStatus, claimOutcome, takeOutcome } from '../../src/catalog/gate/scripts';
import { hashTag } from '@order-coordinator/lock';

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

  it('when claim.lua answers, then each status code becomes the typed outcome', () => {
    expect(claimOutcome([ClaimStatus.Claimed])).toEqual({ kind: 'taken' });
    expect(claimOutcome([ClaimStatus.Miss])).toEqual({ kind: 'miss' });
    expect(claimOutcome([ClaimStatus.AlreadyClaimed])).toEqual({
      kind: 'refused',
      refusal: { reason: 'coupon_already_claimed' },
    });
    expect(claimOutcome([ClaimStatus.SoldOut])).toEqual({
      kind: 'refused',
      refusal: { reason: 'coupon_sold_out' },
    });
    expect(claimOutcome([ClaimStatus.NotValid, 0, 1_700_000_000_123])).toEqual({
      kind: 'refused',
      refusal: {
        reason: 'coupon_not_valid',
        validFrom: null,
        validUntil: new Date(1_700_000_000_123),
      },
    });
    expect(() => claimOutcome([9])).toThrow('unexpected reply');
  });

  it("when a coupon's keys are built, then they share the merchant's hash tag with its products", () => {
    const c = couponKeys('m-1', 'c-1');
    expect([c.state, c.holders].map(hashTag)).toEqual(['m:m-1', 'm:m-1']);
    expect(c).toEqual({ state: 'gate:{m:m-1}:c:c-1', holders: 'gate:{m:m-1}:cb:c-1' });
    expect(() => couponKeys('', 'c-1')).toThrow(TypeError);
  });
});
