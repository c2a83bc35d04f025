/** The harness's programmatic entry (the CLI is main.ts). */
export { runHarness, type HarnessResult } from './run';
export { defaultOptions, parseOptions, type HarnessOptions } from './options';
export { checkHistory, replayByContract, type Replayer } from './checker';
export { replayByMachine } from './checker/machine-replay';
export { type Report } from './report';
export { summaryText } from './summary';
export type * from './types';
