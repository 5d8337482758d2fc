#!/usr/bin/python3
# make-full-fixture.py OUT_DIR REFERENCE_DIR
#
# One training step at the authors' widths (1024,512 / 4096,128, K 10,
# batch 256, sklearn digits rows as input), computed in float64 by the
# PyTorch reference's own fixture generator (make_fixtures.py), written
# as a fixture set in OUT_DIR/step1_full (same names and layout as
# tests/fixtures/step1_mid).  Too large to keep in the repository (about
# 100 MB); parity-full.sh makes it on demand.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import sys

out, ref = sys.argv[1], sys.argv[2]
sys.path.insert(0, ref)
os.environ.setdefault("OMP_NUM_THREADS", "2")

import torch  # noqa: E402
import make_fixtures as M  # noqa: E402

M.OUT = out
FULL = dict(data="digits", D=64, backbone=[1024, 512], head=[4096, 128], K=10,
            B=256, n_eval_extra=16, init_seed=2, input_seed=102)
with M.use_cfg(**FULL):
    model = M.build_init_model()
    x, views, x_eval = M.make_inputs(1)
    r64 = M.run_steps(model, views, x_eval, torch.float64, 1, max_epochs=100)
    st = M.Store("step1_full")
    M.store_step_set(st, r64, views, x, x_eval, 1)
    json.dump(dict(M.CFG, n_steps=1, max_epochs_for_schedule=100),
              open(os.path.join(st.dir, "config.json"), "w"), indent=1)
print(os.path.join(out, "step1_full"))
