#!/bin/sh
# compare-quality.sh: NMI after 20 epochs (Fashion-MNIST test split,
# authors' widths, batch 256) of the engine and of the PyTorch reference,
# seed by seed, and how far apart the two means are (Welch's t).  Whole
# runs are chaotic, so only such distributions compare.  About one minute
# per seed for the engine and two for the reference.
#
# Usage: compare-quality.sh BENCH_FMNIST [REFERENCE_DIR]
#   SEEDS=0,1,2 (default 0,1,2,3,4), EPOCHS=20,
#   REF_ARGS="--dtype float64" to run the reference in double,
#   BSC_POLAR=gram (or BSC_GEMM=openblas) to vary the engine.
# Exits 77 (skipped) without python3-torch or the dataset.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u
bench=$1
ref=${2:-$(dirname "$0")/../../../shared/reference}
seeds=${SEEDS:-0,1,2,3,4}
epochs=${EPOCHS:-20}

if ! /usr/bin/python3 -c 'import torch, sklearn, numpy' 2>/dev/null \
   || [ ! -r "$ref/bootsc_ref.py" ]; then
  echo "SKIP: python3-torch, python3-sklearn or $ref/bootsc_ref.py is missing"
  exit 77
fi

c_nmi=
py_nmi=
for s in $(echo "$seeds" | tr ',' ' '); do
  c=$("$bench" --epochs "$epochs" --seeds "$s" | sed -n 's/.* NMI \([0-9.]*\) .*/\1/p')
  # shellcheck disable=SC2086  # REF_ARGS is a list of options
  py=$(/usr/bin/python3 "$ref/bootsc_ref.py" --dataset fmnist \
    --fmnist-split test --epochs "$epochs" --threads 1 --blas-threads 2 \
    --eval-every 0 --seed "$s" ${REF_ARGS:-} \
    | sed -n 's/^EVAL .* NMI \([0-9.]*\) .*/\1/p' | tail -n 1)
  if [ -z "$c" ] || [ -z "$py" ]; then
    echo "seed $s: could not read an NMI"
    exit 1
  fi
  echo "seed $s: NMI engine $c, PyTorch $py"
  c_nmi="$c_nmi $c"
  py_nmi="$py_nmi $py"
done

/usr/bin/python3 - "$c_nmi" "$py_nmi" <<'PY'
import sys
import numpy as np
c = np.array(sys.argv[1].split(), float)
p = np.array(sys.argv[2].split(), float)
line = f"mean NMI: engine {c.mean():.4f}, PyTorch {p.mean():.4f} over {len(c)} seeds"
if len(c) > 1:
    se = np.sqrt(c.var(ddof=1) / len(c) + p.var(ddof=1) / len(p))
    line += f"; Welch t {(c.mean() - p.mean()) / se:+.2f} (|t| > 2: the two differ)"
print(line)
PY
