"""wasi-testsuite runtime adapter for wasmsharp.

The official runner of https://github.com/WebAssembly/wasi-testsuite (prod/testsuite-base branch) loads this
file as a module:

    ./run-tests --runtime /path/to/wasmsharp/scripts/wasi-testsuite-adapter.py

It runs each test as `wasmsharp run [--env K=V]... [--dir ROOT::/] TEST.wasm ARGS...`. The command is the CLI
built in this repository (dotnet build src/WasmSharp.Cli -c Release), or $WASMSHARP (split like a shell would).
"""
import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

_REPO = Path(__file__).resolve().parent.parent
_DEFAULT = ["dotnet", str(_REPO / "src/WasmSharp.Cli/bin/Release/net10.0/WasmSharp.Cli.dll")]
WASMSHARP = shlex.split(os.environ["WASMSHARP"]) if os.environ.get("WASMSHARP") else _DEFAULT


def get_name() -> str:
    return "wasmsharp"


def get_version() -> str:
    result = subprocess.run(WASMSHARP + ["--version"], encoding="UTF-8", capture_output=True, check=True)
    return result.stdout.strip().split("+")[0] or "0.0.0"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def get_timeout_seconds() -> float:
    # .NET start-up plus an interpreter: more than the runner's default of 5 s on a busy machine.
    return 60.0


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, root = args_env_root
    argv = WASMSHARP + ["run"]
    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    argv += [test_path]
    argv += args
    return argv
