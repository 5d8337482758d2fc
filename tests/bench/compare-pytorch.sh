#!/bin/sh
# compare-pytorch.sh: seconds per epoch of BootSC in C against the PyTorch
# reference on the same setup (Fashion-MNIST test split, authors' widths,
# batch 256, one epoch, 2 cores), and their ratio (goal <= 0.6).
#
# Usage: compare-pytorch.sh BENCH_FMNIST [REFERENCE_DIR]
# Exits 77 (skipped) when python3-torch, python3-sklearn or the dataset
# is missing.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u
bench=$1
ref=${2:-$(dirname "$0")/../../../shared/reference}
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz

if ! /usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null; then
  echo "SKIP: python3-torch or python3-sklearn is not installed"
  exit 77
fi
if [ ! -r "$images" ] || [ ! -r "$ref/bootsc_ref.py" ]; then
  echo "SKIP: $images or $ref/bootsc_ref.py is missing"
  exit 77
fi

echo "PyTorch reference (--threads 1 --blas-threads 2):"
py_out=$(/usr/bin/python3 "$ref/bootsc_ref.py" --dataset fmnist \
  --fmnist-split test --epochs 1 --threads 1 --blas-threads 2 \
  --eval-every 0) || { echo "the reference failed"; exit 1; }
echo "$py_out" | grep -E '^epoch|^EVAL'
py_sec=$(echo "$py_out" | awk '$1 == "epoch" && $2 == 1 {
  for (i = 1; i <= NF; i++) if ($i == "sec") print $(i + 1) }')

echo "BootSC Explorer (C, 2 threads):"
c_out=$("$bench" --epochs 1 --seeds 0 --threads 2) || {
  echo "bench-fmnist failed"; exit 1; }
echo "$c_out" | grep '^seed'
c_sec=$(echo "$c_out" | sed -n 's/.* \([0-9.]*\) s\/epoch.*/\1/p')

if [ -z "$py_sec" ] || [ -z "$c_sec" ]; then
  echo "could not read the seconds per epoch"
  exit 1
fi
LC_ALL=C awk -v c="$c_sec" -v p="$py_sec" 'BEGIN {
  printf "seconds per epoch: C %.3f, PyTorch %.3f, ratio %.3f (goal <= 0.6)\n",
         c, p, c / p }'
