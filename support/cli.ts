/**
 * Runs a small command's `main` with the process's arguments and exits: 0 when it
 * resolves, 2 with the message for a usage error (a TypeError), 1 with it otherwise.
 */
export function runCli(main: (argv: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof TypeError ? 2 : 1);
    },
  );
}
