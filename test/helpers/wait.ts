/**
 * Polls `probe` until it returns true or `timeoutMs` passes; for conditions that become
 * true by themselves (a reconnect, a sweeper run), never to retry an assertion.
 */
export async function waitUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
