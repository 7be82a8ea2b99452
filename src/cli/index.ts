import { describeError } from '../common/errors';
import { main } from './main';

// The bundled CLI's entry point (bin/outerloop.js loads it).
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`outerloop: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
