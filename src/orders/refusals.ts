import type { ReservationRefusal } from '../db/reservations.repo';
import { AppError } from '../errors';

/**
 * The refusal of a reservation as the contract's error: the same whether the stock gate
 * or PostgreSQL refused (same code, message and extensions).
 */
export function refusalError(refusal: ReservationRefusal): AppError {
  const { productId } = refusal;
  switch (refusal.reason) {
    case 'out_of_stock':
      return new AppError('out_of_stock', `Not enough stock of product ${productId}.`, {
        extensions: { productId },
      });
    case 'sale_not_started': {
      const saleStartsAt = refusal.saleStartsAt.toISOString();
      return new AppError(
        'sale_not_started',
        `The sale of product ${productId} starts at ${saleStartsAt}.`,
        { extensions: { productId, saleStartsAt } },
      );
    }
    case 'purchase_limit_exceeded':
      return new AppError(
        'purchase_limit_exceeded',
        `You may hold at most ${refusal.limit} of product ${productId} and hold ${refusal.held}.`,
        { extensions: { productId, limit: refusal.limit, held: refusal.held } },
      );
  }
}
