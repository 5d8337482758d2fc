#!/bin/sh
# compare-pytorch.sh: seconds per training epoch of BootSC in C against the
# PyTorch reference on the same setup (Fashion-MNIST test split, authors'
# widths, batch 256, one epoch of 39 steps, 2 cores), and their ratio
# (goal <= 0.6).  The machine may be shared, so the two run interleaved,
# C then PyTorch, ROUNDS times (default 3), and the medians are compared.
# Also prints our GFLOP/s (median) against the sgemm peak of the engine's
# own products measured between the rounds (bench-step --peak, the best of
# all rounds).
#
# Usage: compare-pytorch.sh BENCH_FMNIST [REFERENCE_DIR]
#   ROUNDS=N to change the number of rounds.
# Exits 77 (skipped) when python3-torch, python3-sklearn or the dataset
# is missing.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u
bench=$1
ref=${2:-$(dirname "$0")/../../../shared/reference}
rounds=${ROUNDS:-3}
step=$(dirname "$bench")/bench-step
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz

if ! /usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null; then
  echo "SKIP: python3-torch or python3-sklearn is not installed"
  exit 77
fi
if [ ! -r "$images" ] || [ ! -r "$ref/bootsc_ref.py" ]; then
  echo "SKIP: $images or $ref/bootsc_ref.py is missing"
  exit 77
fi

# median of the numbers on standard input, one per line
median () {
  sort -g | LC_ALL=C awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    if (NR % 2) print v[(NR + 1) / 2]
    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

c_secs=
py_secs=
c_gflops=
peaks=
i=0
while [ "$i" -lt "$rounds" ]; do
  i=$((i + 1))
  c_out=$("$bench" --epochs 1 --seeds 0 --threads 2) || {
    echo "bench-fmnist failed"; exit 1; }
  c_line=$(echo "$c_out" | grep '^seed')
  c_sec=$(echo "$c_line" | sed -n 's/.* \([0-9.]*\) s\/epoch.*/\1/p')
  c_gf=$(echo "$c_line" | sed -n 's/.* \([0-9.]*\) GFLOP\/s.*/\1/p')

  py_out=$(/usr/bin/python3 "$ref/bootsc_ref.py" --dataset fmnist \
    --fmnist-split test --epochs 1 --threads 1 --blas-threads 2 \
    --eval-every 0) || { echo "the reference failed"; exit 1; }
  py_sec=$(echo "$py_out" | awk '$1 == "epoch" && $2 == 1 {
    for (i = 1; i <= NF; i++) if ($i == "sec") print $(i + 1) }')

  if [ -z "$py_sec" ] || [ -z "$c_sec" ]; then
    echo "could not read the seconds per epoch"
    exit 1
  fi
  if [ -x "$step" ]; then
    peak=$("$step" --peak 2 | sed -n 's/.*: \([0-9.]*\) GFLOP\/s.*/\1/p')
    peaks="$peaks $peak"
  fi
  echo "round $i: C $c_sec s/epoch ($c_gf GFLOP/s), PyTorch $py_sec s/epoch;" \
       "C ${c_line#seed 0: epochs 1 }" | cut -c 1-100
  c_secs="$c_secs $c_sec"
  py_secs="$py_secs $py_sec"
  c_gflops="$c_gflops $c_gf"
done

c_med=$(echo $c_secs | tr ' ' '\n' | median)
py_med=$(echo $py_secs | tr ' ' '\n' | median)
gf_med=$(echo $c_gflops | tr ' ' '\n' | median)
c_min=$(echo $c_secs | tr ' ' '\n' | sort -g | head -n 1)
py_min=$(echo $py_secs | tr ' ' '\n' | sort -g | head -n 1)
peak=$(echo $peaks | tr ' ' '\n' | sort -g | tail -n 1)
LC_ALL=C awk -v c="$c_med" -v p="$py_med" -v n="$rounds" 'BEGIN {
  printf "seconds per epoch, median of %d interleaved rounds: C %.3f, " \
         "PyTorch %.3f, ratio %.3f (goal <= 0.6)\n", n, c, p, c / p }'
# The fastest round of each side: what each reaches when the shared
# machine leaves it alone, the least noisy comparison.
LC_ALL=C awk -v c="$c_min" -v p="$py_min" 'BEGIN {
  printf "fastest rounds: C %.3f, PyTorch %.3f, ratio %.3f\n", c, p, c / p }'
echo "PyTorch's products: OpenBLAS, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
LC_ALL=C awk -v g="$gf_med" -v pk="${peak:-0}" 'BEGIN {
  if (pk > 0)
    printf "C matrix products: %.1f GFLOP/s (median), %.0f %% of the " \
           "engine sgemm peak %.1f GFLOP/s (512 x 4096 x 1024, best of " \
           "the rounds)\n",
           g, 100 * g / pk, pk
  else
    printf "C matrix products: %.1f GFLOP/s (median)\n", g }'
