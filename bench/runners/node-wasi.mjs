// The V8 engine of the benchmark harness: Node.js's WebAssembly with its WASI module (preview1).
// V8 flags (e.g. --liftoff-only) go on the node command line before this script.
//
//   node node-wasi.mjs run FILE [ARGS...]   runs a WASI command; stdout/stderr are the process's, exit code passed
//   node node-wasi.mjs compile FILE [N]     compiles FILE N times (default 3) with new WebAssembly.Module, printing
//                                           the milliseconds of each on one line; the first is the cold figure.
//                                           V8 compiles function bodies lazily by default, on first call; what is
//                                           timed is what V8 does before a module can be instantiated.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [verb, file, ...rest] = process.argv.slice(2);
if ((verb !== 'run' && verb !== 'compile') || !file) {
  console.error('usage: node node-wasi.mjs run FILE [ARGS...] | compile FILE [N]');
  process.exit(2);
}

const bytes = readFileSync(file);
if (verb === 'compile') {
  const repeats = rest.length > 0 ? Number(rest[0]) : 3;
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    new WebAssembly.Module(bytes);
    times.push((Number(process.hrtime.bigint() - start) / 1e6).toFixed(3));
  }
  console.log(times.join(' '));
} else {
  const wasi = new WASI({ version: 'preview1', args: [basename(file), ...rest], env: {}, returnOnExit: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), wasi.getImportObject());
  process.exitCode = wasi.start(instance);
}
