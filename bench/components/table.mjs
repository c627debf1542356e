// The table of bench/component-calls: per case, the median time of a call on each path (over the runs), and the
// ratios the targets of issue 15 are stated in.
//
//   node bench/components/table.mjs results.jsonl cases.json RUNS SECONDS [ENGINE]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const [resultsPath, casesPath, runs, seconds, engine = 'interp'] = process.argv.slice(2);
const rows = readFileSync(resultsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const { cases } = JSON.parse(readFileSync(casesPath, 'utf8'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const time = (c, path) => {
  const xs = rows.filter((r) => r.case === c && r.path === path).map((r) => r.ns);
  return xs.length ? median(xs) : undefined;
};
const ns = (x) => (x === undefined ? '' : x < 10000 ? x.toFixed(0) : `${(x / 1000).toFixed(1)} µs`);
const ratio = (a, b) => (a === undefined || b === undefined ? '' : (a / b).toFixed(2));

console.log(`# Calls across the component boundary\n`);
console.log(`Median time of one call (ns) over ${runs} interleaved runs of about ${seconds} s each; ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}.`);
console.log(`The component's core code runs on ${engine === 'llvm' ? 'native code from the LLVM backend' : 'the interpreter'} (--engine ${engine}).`);
console.log('reference: the reference Canonical ABI on untyped values; compiled: the compiled thunk on .NET types;');
console.log('jco: the same component transpiled by jco, called from node; core: a plain core Wasm call (scalar only).\n');
console.log('| case | reference | compiled | jco | reference ÷ compiled | jco ÷ compiled | compiled ÷ core |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of cases) {
  const r = time(c.case, 'reference'), k = time(c.case, 'compiled'), j = time(c.case, 'jco'), core = time(c.case, 'core');
  console.log(`| ${c.case} | ${ns(r)} | ${ns(k)} | ${ns(j)} | ${ratio(r, k)} | ${ratio(j, k)} | ${ratio(k, core)} |`);
}
