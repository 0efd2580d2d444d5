"""Run the tests as they would run on other x86 CPUs.

Floating-point results depend on the CPU: OpenBLAS picks matrix-product
kernels for the processor it finds (each adds up in its own order), and numpy
picks SIMD code for its element-wise functions (``exp``, ``tanh``... differ in
the last bit between AVX-512, AVX2 and plain SSE). Both choices can be forced
by environment variables, so one machine can check what another would compute:

``zen``
    OpenBLAS's kernels for AMD Zen and numpy without AVX-512, as on an AMD
    Ryzen or EPYC of the Zen 1-3 generations.
``prescott``
    OpenBLAS's kernels for the Pentium 4 Prescott (SSE3, no AVX) and numpy on
    its baseline only (SSE4.2 for numpy 2.4), as on the oldest x86-64 CPUs
    numpy still runs on.

``./course test`` runs the unit tests under both after the ordinary run.

    python tests/cpu_variants.py env zen   # the variables, e.g. for `env $(...) pytest`
    python tests/cpu_variants.py describe  # the CPU code this Python uses now
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

VARIANTS = {
    # name: (OPENBLAS_CORETYPE, numpy SIMD targets to keep: "no-avx512" or "baseline")
    "zen": ("Zen", "no-avx512"),
    "prescott": ("Prescott", "baseline"),
}


# openblas_get_corename as OpenBLAS builds name it (64-bit integers, scipy-openblas prefix)
CORENAME_SYMBOLS = [
    f"{prefix}openblas_get_corename{suffix}" for prefix in ("", "scipy_") for suffix in ("", "64_")
]


def _numpy_simd():
    """numpy's baseline CPU features, its optional SIMD targets, and which ones run here."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    return umath.__cpu_baseline__, umath.__cpu_dispatch__, umath.__cpu_features__


def environment(name: str) -> dict[str, str]:
    """The environment variables that make numpy and OpenBLAS compute as on CPU ``name``."""
    coretype, keep = VARIANTS[name]
    _, targets, available = _numpy_simd()
    targets = [t for t in targets if available.get(t)]  # numpy 1.x warns about the others
    if keep == "baseline":
        drop = targets
    else:  # the AVX-512 targets: AVX512F, AVX512_SKX, ... (numpy 1.x), X86_V4, AVX512_ICL (2.4)
        drop = [t for t in targets if t.startswith("AVX512") or t == "X86_V4"]
    env = {"OPENBLAS_CORETYPE": coretype}
    if drop:
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(drop)
    return env


def openblas_kernel() -> str | None:
    """The name of the kernel set OpenBLAS uses in this process (Linux only), or None.

    OpenBLAS may map a requested core type onto the kernels of a related one
    (this build runs "Zen" with its Haswell kernels, "Prescott" with Katmai's).
    """
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return None
    import numpy as np

    np.dot(np.ones((2, 2)), np.ones((2, 2)))  # make sure BLAS is loaded
    paths = {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for symbol in CORENAME_SYMBOLS:
            function = getattr(lib, symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return None


def describe() -> str:
    """One line: the OpenBLAS kernel and numpy SIMD code in use, for test reports."""
    baseline, targets, available = _numpy_simd()
    used = [t for t in targets if available.get(t)]  # NPY_DISABLE_CPU_FEATURES included
    kernel = openblas_kernel() or "unknown"
    asked = os.environ.get("OPENBLAS_CORETYPE")
    if asked:
        kernel += f" (OPENBLAS_CORETYPE={asked})"
    return f"OpenBLAS kernel {kernel}; numpy SIMD {' '.join(baseline[-1:] + used)}"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "env" and argv[1] in VARIANTS:
        print(" ".join(f"{k}={v}" for k, v in environment(argv[1]).items()))
        return 0
    if argv == ["describe"]:
        print(describe())
        return 0
    print(f"usage: cpu_variants.py env {{{','.join(VARIANTS)}}} | describe", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
