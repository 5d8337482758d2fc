#!/bin/sh
# compare-pytorch.sh: seconds per epoch of BootSC in C against the PyTorch
# reference on the same setup (Fashion-MNIST test split, authors' widths,
# batch 256, one epoch, 2 cores), and their ratio (goal <= 0.6).  The two
# run alternately ROUNDS times (default 2) and the fastest epoch of each
# counts, so a busy machine disturbs both alike.
#
# Usage: compare-pytorch.sh BENCH_FMNIST [REFERENCE_DIR]
# Exits 77 (skipped) when python3-torch, python3-sklearn or the dataset
# is missing.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u
bench=$1
ref=${2:-$(dirname "$0")/../../../shared/reference}
rounds=${ROUNDS:-2}
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz

if ! /usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null; then
  echo "SKIP: python3-torch or python3-sklearn is not installed"
  exit 77
fi
if [ ! -r "$images" ] || [ ! -r "$ref/bootsc_ref.py" ]; then
  echo "SKIP: $images or $ref/bootsc_ref.py is missing"
  exit 77
fi

min () {
  LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'
}

py_best=
c_best=
i=0
while [ "$i" -lt "$rounds" ]; do
  i=$((i + 1))
  py_out=$(/usr/bin/python3 "$ref/bootsc_ref.py" --dataset fmnist \
    --fmnist-split test --epochs 1 --threads 1 --blas-threads 2 \
    --eval-every 0) || { echo "the reference failed"; exit 1; }
  py_sec=$(echo "$py_out" | awk '$1 == "epoch" && $2 == 1 {
    for (i = 1; i <= NF; i++) if ($i == "sec") print $(i + 1) }')
  echo "round $i PyTorch (--threads 1 --blas-threads 2): $py_sec s/epoch;" \
       "$(echo "$py_out" | grep '^EVAL' | cut -c 1-50)"

  c_out=$("$bench" --epochs 1 --seeds 0 --threads 2) || {
    echo "bench-fmnist failed"; exit 1; }
  c_sec=$(echo "$c_out" | sed -n 's/.* \([0-9.]*\) s\/epoch.*/\1/p')
  echo "round $i C (2 threads): $(echo "$c_out" | grep '^seed')"

  if [ -z "$py_sec" ] || [ -z "$c_sec" ]; then
    echo "could not read the seconds per epoch"
    exit 1
  fi
  py_best=$(min "$py_best" "$py_sec")
  c_best=$(min "$c_best" "$c_sec")
done

LC_ALL=C awk -v c="$c_best" -v p="$py_best" 'BEGIN {
  printf "seconds per epoch (best of each): C %.3f, PyTorch %.3f, " \
         "ratio %.3f (goal <= 0.6)\n", c, p, c / p }'
