"""Run Rasa the one way this project runs it. Training (scripts/train.sh), `make serve`,
`make chat`, scale-out mode (scripts/servers.sh, scripts/cluster.sh), the reproducibility
check and the production unit (deploy/systemd/pemberdayaan-rasa.service) all call

    .venv-rasa/bin/python scripts/rasa_cli.py <rasa arguments>

so that production runs what the tests and the benchmarks ran, and a model trained on one
machine is the model trained on another. Before Rasa starts:

- TensorFlow's numerics are made the same on every x86-64 machine (:data:`NUMERICS`,
  set whatever the environment says): oneDNN's graph rewrites are off; the kernels that
  remain pick their code by the CPU they find (AVX2, AVX-512, AMX ...) and then sum in
  another order, so they are capped at AVX2, which every x86-64 server of the last decade
  has; TensorFlow's thread pools and OpenMP's and BLAS's get fixed sizes, since a sum is
  split by the number of threads. Measured: the same data trained with the cap at AVX2 and
  without it (on an AVX-512 machine) gave 414 of 500 held-out predictions different, one
  CPU or two, or another folder and file order, none (README, "Reproducible training").
- the run-time fixes of scripts/rasa_runtime.py are applied (the CPU cost per turn that
  README "Cost per turn" measures);
- Rasa's and TensorFlow's deprecation warnings, pages of them that say nothing to our
  users, are silenced;
- an argument ``@env:NAME`` becomes the value of the variable ``NAME``, so that tokens and
  the chat's conversation id reach the process without appearing on its command line,
  which every local user can read with ``ps``.

Loaded inside the Rasa environment: the standard library and rasa only.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping, MutableMapping

# Read by TensorFlow when it is first imported, and by rasa/__main__.py
# (rasa.utils.tensorflow.environment), so they must be set before either is imported.
NUMERICS = {
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "TF_INTRA_OP_PARALLELISM_THREADS": "2",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def arguments(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """``argv`` with every ``@env:NAME`` replaced by the variable's value."""
    resolved = []
    for argument in argv:
        if argument.startswith("@env:"):
            name = argument[len("@env:") :]
            if name not in environ:
                raise SystemExit(f"[server] GAGAL: variabel {name} tidak diset.")
            resolved.append(environ[name])
        else:
            resolved.append(argument)
    return resolved


def set_numerics(environ: MutableMapping[str, str]) -> None:
    """Set, never only default: a shell's OMP_NUM_THREADS must not change the model."""
    environ.update(NUMERICS)


def main() -> int:
    set_numerics(os.environ)
    warnings.simplefilter("ignore")
    warnings.showwarning = lambda *args, **kwargs: None
    import rasa_runtime  # scripts/ is sys.path[0] when this file runs as a script

    rasa_runtime.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments(sys.argv[1:], os.environ)]
    return int(rasa_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
