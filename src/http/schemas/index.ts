export * from './common';
export * from './orders';
export * from './problem';
export * from './products';
export { z } from './zod';
