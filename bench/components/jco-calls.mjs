// The JavaScript side of bench/component-calls: calls.wasm transpiled by jco (`jco transpile calls.wasm -o DIR
// --name calls`), each case of cases.json called through jco's bindings in node, timed the way
// bench/runners/ComponentCallsRunner times the .NET calls (median of --runs runs of about --seconds each, after a
// warm-up). Prints one JSON line per case: {"case", "path": "jco", "ns"}.
//
//   node bench/components/jco-calls.mjs DIR cases.json [--seconds S] [--runs N]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, casesPath, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const i = rest.indexOf(name);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const seconds = option('--seconds', 0.3);
const runs = option('--runs', 5);

const { api } = await import(pathToFileURL(resolve(dir, 'calls.js')).href);
const { cases } = JSON.parse(readFileSync(casesPath, 'utf8'));

// Text of `bytes` UTF-8 bytes: ASCII letters, or "é" (two bytes each), as the .NET runner makes it.
const text = (bytes, ascii) =>
  ascii ? Array.from({ length: bytes }, (_, i) => String.fromCharCode(97 + (i % 26))).join('') : 'é'.repeat(bytes / 2);

function call(c) {
  const f = api[c.func];
  if (c.scalar) { const [a, b] = c.scalar; return () => f(a, b); }
  if (c.string) {
    const s = text(c.string.bytes, c.string.ascii);
    if (f(s) !== s) throw new Error('echo did not return its argument');
    return () => f(s);
  }
  if (c.u32s !== undefined) { const xs = Uint32Array.from({ length: c.u32s }, (_, i) => i); return () => f(xs); }
  if (c.record) { const r = { ...c.record }; return () => f(r); }
  if (c.variant) { const v = { tag: c.variant.tag, val: c.variant.value }; return () => f(v); }
  if (c.entries !== undefined) {
    const items = Array.from({ length: c.entries }, (_, i) => ({ id: i, score: i * 0.5 }));
    return () => f(items);
  }
  throw new Error(`case without an argument: ${JSON.stringify(c)}`);
}

function timed(fn, s) {
  let calls = 0, batch = 1;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(s * 1e9));
  for (;;) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= limit) return Number(elapsed) / calls;
    if (batch < 1 << 20) batch *= 2;
  }
}

for (const c of cases) {
  const fn = call(c);
  timed(fn, 0.3);
  const times = Array.from({ length: runs }, () => timed(fn, seconds)).sort((a, b) => a - b);
  console.log(JSON.stringify({ case: c.case, path: 'jco', ns: Number(times[runs >> 1].toFixed(1)) }));
}
