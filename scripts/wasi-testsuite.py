#!/usr/bin/env python3
"""Runs the WebAssembly/wasi-testsuite preview1 tests on wasmsharp.

Usage: scripts/wasi-testsuite.py CHECKOUT [-j N] [-v] [FILTER...]

CHECKOUT is a checkout of https://github.com/WebAssembly/wasi-testsuite on its prod/testsuite-base branch
(prebuilt tests; it is not part of this repository). Each tests/*/testsuite/wasm32-wasip1/NAME.wasm runs as
    wasmsharp run [--env K=V]... [--dir ROOT::/] NAME.wasm ARGS...
with the arguments, environment, directory and expected exit code/stdout/stderr of its NAME.json, the way the
suite's own runner (test-runner/, adapters/wasmtime.py) runs it. Files named *.cleanup under ROOT are removed
before and after each test. Needs the CLI built: dotnet build src/WasmSharp.Cli -c Release.
Prints one line per failure, then "N passed, N failed, N skipped"; exits 1 if anything failed.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = REPO / "src/WasmSharp.Cli/bin/Release/net10.0/WasmSharp.Cli.dll"
TIMEOUT = 120


def cleanup(root: Path) -> None:
    for f in root.glob("**/*.cleanup"):
        if f.is_symlink() or f.is_file():
            f.unlink()
        elif f.is_dir():
            shutil.rmtree(f)


def run_test(wasm: Path):
    config_path = wasm.with_suffix(".json")
    config = json.loads(config_path.read_text()) if config_path.exists() else {}
    if "operations" in config:
        return wasm, "skip", "new-style (operations) configuration"
    argv = ["dotnet", str(CLI), "run"]
    for k, v in config.get("env", {}).items():
        argv += ["--env", f"{k}={v}"]
    root = config.get("root")
    if root:
        root = wasm.parent / root
        cleanup(root)
        argv += ["--dir", f"{root}::/"]
    argv += [str(wasm)] + config.get("args", [])
    try:
        p = subprocess.run(argv, stdin=subprocess.PIPE, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return wasm, "fail", "timeout"
    finally:
        if root:
            cleanup(root)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    if p.returncode != config.get("exit_code", 0):
        problems.append(f"exit code {p.returncode}, expected {config.get('exit_code', 0)}")
    if "stdout" in config and not out.startswith(config["stdout"]):
        problems.append(f"stdout {out!r}, expected {config['stdout']!r}")
    if "stderr" in config and not err.startswith(config["stderr"]):
        problems.append(f"stderr {err!r}, expected {config['stderr']!r}")
    if problems:
        return wasm, "fail", "; ".join(problems) + (f"\n    stderr: {err.strip()[:2000]}" if err.strip() else "")
    return wasm, "pass", ""


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    checkout = Path(args.pop(0))
    jobs, verbose, filters = os.cpu_count() or 1, False, []
    while args:
        a = args.pop(0)
        if a == "-j":
            jobs = int(args.pop(0))
        elif a == "-v":
            verbose = True
        else:
            filters.append(a)
    tests = sorted(checkout.glob("tests/*/testsuite/wasm32-wasip1/*.wasm"))
    if filters:
        tests = [t for t in tests if any(f in str(t) for f in filters)]
    if not tests:
        print(f"error: no tests under {checkout}/tests/*/testsuite/wasm32-wasip1", file=sys.stderr)
        return 2
    # Tests sharing a root directory run one at a time (they create and delete the same files).
    groups = {}
    for t in tests:
        groups.setdefault(t.parent, []).append(t)
    counts = {"pass": 0, "fail": 0, "skip": 0}

    def run_group(group):
        return [run_test(t) for t in group]

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for results in pool.map(run_group, groups.values()):
            for wasm, status, message in results:
                counts[status] += 1
                name = wasm.relative_to(checkout)
                if status != "pass" or verbose:
                    print(f"{status.upper()}: {name}" + (f": {message}" if message else ""))
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
