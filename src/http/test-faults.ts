import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { blockProcess, LAST_WRITER_WINS, type TransitionFaults } from '../orders/faults';

/** The test faults of one instance: how requests ask for them, and the coordinator's hook. */
export interface TestFaults {
  /** Reads `X-Test-Lock-Pause-Ms` (after the body parser, so the request's context holds). */
  middleware: RequestHandler;
  transition: TransitionFaults;
}

/** The pause the request being served asked for, across its awaits. */
const requestPause = new AsyncLocalStorage<number>();

function pauseIfAsked(): void {
  const ms = requestPause.getStore();
  if (ms !== undefined) blockProcess(ms);
}

/**
 * Test-only faults, or undefined when the settings turn none on (always in production,
 * where config refuses them). TEST_FAULTS honours the request header
 * `X-Test-Lock-Pause-Ms` (1 to 600000): the transition blocks its whole process that long
 * inside the critical section (a new order: between the stock gate and its transaction,
 * where a test kills the process). TEST_DISABLE_VERSION_CHECK writes without the version check.
 */
export function createTestFaults(
  config: Pick<Config, 'TEST_FAULTS' | 'TEST_DISABLE_VERSION_CHECK'>,
): TestFaults | undefined {
  if (!config.TEST_FAULTS && !config.TEST_DISABLE_VERSION_CHECK) return undefined;
  return {
    middleware: (req, _res, next) => {
      const ms = Number(req.headers['x-test-lock-pause-ms']);
      if (!config.TEST_FAULTS || !Number.isInteger(ms) || ms <= 0 || ms > 600_000) return next();
      requestPause.run(ms, next);
    },
    transition: {
      beforeWrite: pauseIfAsked,
      afterGate: pauseIfAsked,
      ...(config.TEST_DISABLE_VERSION_CHECK ? { guard: LAST_WRITER_WINS } : {}),
    },
  };
}
