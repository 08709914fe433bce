/** Entry point for running the CLI from source (tests, `tsx`); bin/restmq.js runs the build. */
import { main } from './index.js';

main().catch((err: unknown) => {
  process.stderr.write(`restmq: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
