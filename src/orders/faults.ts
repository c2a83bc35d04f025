/**
 * Test-only (TEST_FAULTS): blocks the whole process for `ms`, as a long GC pause or a
 * frozen VM would. Timers cannot fire meanwhile, so the lock's watchdog cannot renew
 * and a lease shorter than the pause lapses while the holder still believes it holds it.
 */
export function blockProcess(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
