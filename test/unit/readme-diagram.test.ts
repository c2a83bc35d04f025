import { readFileSync } from 'node:fs';
import { README, withDiagram } from '../../src/cli/diagram';
import { ORDER_EVENT_TYPES, ORDER_STATUSES, orderDiagram } from '../../machines';

describe("the README's state diagram", () => {
  it('when the machine changes, then this fails until `npm run diagram` is run', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(orderDiagram());
    expect(withDiagram(readme)).toBe(readme);
  });

  it('names every status and every event of the machine', () => {
    const diagram = orderDiagram();
    for (const status of ORDER_STATUSES) expect(diagram).toContain(status);
    for (const event of ORDER_EVENT_TYPES) expect(diagram).toContain(`: ${event}`);
  });
});
