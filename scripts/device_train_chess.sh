#!/usr/bin/env bash
# Train the chess player on a lent GPU for at most 7 minutes (bf16 autocast), writing the run under $OUT.
#
# Prepared for the device tool (nothing here depends on a GPU otherwise). On this machine, once:
#     echo /.whl/ >> .git/info/exclude
#     python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#         --platform manylinux_2_17_x86_64 -d .whl chess==1.10.0        # the GPU image lacks python-chess
# then run there, carrying the wheels and the labelled data:
#     command: bash scripts/device_train_chess.sh     carry: [".whl", "data/ladder"]     timeout_s: 540
# $OUT then holds run/ (state, metrics, best checkpoint) and the log; copy run/best.* to checkpoints/ to ship it,
# and give the card the hardware that trained it (recorded by the trainer).
set -euo pipefail
OUT=${OUT:-runs/device}
CHUNKS=${CHUNKS:-$(ls data/ladder | grep -c '^ladder_')}
CHUNKS=$(( CHUNKS / 20 * 20 ))  # whole blocks of twenty: every block has its validation chunk
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # the suite itself, from this checkout (it is not installed there)
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
python3 scripts/train_chess_ladder.py --device cuda --run-dir "$OUT/run" --chunks "$CHUNKS" \
    --width 128 --blocks 2 --batch-size 1024 --lr 2e-3 --warmup-steps 200 --steps 20000 --eval-every 500 \
    --max-minutes 7 --no-progress 2>&1 | tee "$OUT/log.txt"
