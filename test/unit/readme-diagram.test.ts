import { readFileSync } from 'node:fs';
import { README, withDiagram } from '../../src/cli/diagram';
import { orderDiagram } from '../../machines';

describe("the README's state diagram", () => {
  it('when the machine changes, then this fails until `npm run diagram` is run', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(orderDiagram());
    expect(withDiagram(readme)).toBe(readme);
  });

  it('names every status and every event of the machine', () => {
    const diagram = orderDiagram();
    for (const word of [
      'pending_payment',
      'paid',
      'shipped',
      'delivered',
      'cancelled',
      'refunded',
    ]) {
      expect(diagram).toContain(word);
    }
    for (const event of ['PAY', 'REPRICE', 'CANCEL', 'SHIP', 'DELIVER', 'REFUND', 'EXPIRE']) {
      expect(diagram).toContain(`: ${event}`);
    }
  });
});
