import { checkSellsAgain } from '../../harness/checker/probes';
import { probeText } from '../../harness/faults/probe';
import type { SaleProbe } from '../../harness/types';

const probe = (over: Partial<SaleProbe>): SaleProbe => ({
  fault: 'kill#4',
  target: 'killed-order',
  productId: 'p1',
  fromMs: 1000,
  attempts: 3,
  ...over,
});

describe('the sell-again probes (guarantee 8)', () => {
  it('when a product sold within 5 s of the fault, then it is no violation', () => {
    expect(checkSellsAgain([probe({ soldMs: 6000 })])).toEqual([]);
  });

  it('when it sold later or never, then each is a not-sold-again violation', () => {
    const found = checkSellsAgain([probe({ soldMs: 6001 }), probe({ productId: 'p2' })]);
    expect(found.map((v) => [v.kind, v.productId])).toEqual([
      ['not-sold-again', 'p1'],
      ['not-sold-again', 'p2'],
    ]);
    expect(found[0]?.message).toContain('only after 5001 ms');
    expect(found[1]?.message).toContain('did not sell in 3 tries');
  });

  it('when a try whose answer was lost bought the unit, then the log says so', () => {
    expect(probeText(probe({ soldMs: 3500, soldToLostTry: true }))).toBe(
      'killed-order product p1 sold again after 2500 ms, to a try whose answer was lost (3 tries)',
    );
    expect(probeText(probe({ soldMs: 3500 }))).toBe(
      'killed-order product p1 sold again after 2500 ms (3 tries)',
    );
  });
});
