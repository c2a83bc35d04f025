export * from './order.machine';
export * from './order.lifecycle';
export * from './replay';
export * from './diagram';
