import { parseOptions, USAGE } from './options';
import { summaryText } from './summary';
import { killAll } from './procs/children';
import { runHarness } from './run';

/**
 * `npm run harness -- [options]`: runs the concurrency harness, prints the summary on
 * stdout and exits 1 on any violation (2 when the run itself could not be done).
 */
async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { report, reportPath } = await runHarness(options);
  process.stdout.write(`${summaryText(report, reportPath)}\n`);
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  // Ctrl-C or a SIGTERM must not leave API instances or a redis-server behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nharness: ${signal}: stopping the processes it started\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `harness failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
