import { FINAL_STATUSES, ORDER_STATUSES, orderMachine } from './order.machine';

/**
 * The lifecycle as a Mermaid state diagram, generated from the machine itself, so the
 * README's copy can be checked against it.
 */
export function orderDiagram(): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${orderMachine.config.initial as string}`];
  for (const status of ORDER_STATUSES) {
    const node = orderMachine.states[status];
    if (!node) continue;
    for (const [eventType, definitions] of node.transitions) {
      for (const definition of definitions) {
        const target = definition.target?.[0]?.key ?? status;
        const guard = definition.guard;
        const guardName = typeof guard === 'string' ? ` [${guard}]` : '';
        lines.push(`  ${status} --> ${target}: ${eventType}${guardName}`);
      }
    }
  }
  for (const status of FINAL_STATUSES) lines.push(`  ${status} --> [*]`);
  return lines.join('\n');
}
