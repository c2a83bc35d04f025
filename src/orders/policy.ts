import type { OrderEventType } from '../../machines';

export type Role = 'buyer' | 'merchant' | 'admin';

/** The authenticated caller (a JWT's `role` and `sub`), or the system for timers. */
export type Actor = { role: Role; id: string } | { role: 'system'; id: string };

/** Who may send which event (contract: the transitions table). Admins only read. */
const SENDERS: Record<OrderEventType, ReadonlyArray<Actor['role']>> = {
  PAY: ['buyer'],
  REPRICE: ['merchant'],
  CANCEL: ['buyer', 'merchant'],
  SHIP: ['merchant'],
  DELIVER: ['merchant'],
  REFUND: ['merchant'],
  EXPIRE: ['system'],
};

export function maySend(actor: Actor, type: OrderEventType): boolean {
  return SENDERS[type].includes(actor.role);
}

interface Owned {
  buyer_id: string;
  merchant_id: string;
}

/** The buyer who placed it, the merchant who sells it, admins and the system see an order. */
export function maySee(actor: Actor, order: Owned): boolean {
  switch (actor.role) {
    case 'buyer':
      return order.buyer_id === actor.id;
    case 'merchant':
      return order.merchant_id === actor.id;
    case 'admin':
    case 'system':
      return true;
  }
}
