#!/usr/bin/env bash
# Trains only when the content hash changed; the model is models/<config>-<hash>.tar.gz. Prints its path last.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-config.yml}"
hash=$(.venv/bin/python scripts/model_hash.py "$config")
name="$(basename "$config" .yml)-$hash"
model="models/$name.tar.gz"
if [ -f "$model" ]; then
  echo "model up to date: $model" >&2
else
  echo "training $model (data, config or dictionary changed)" >&2
  start=$(date +%s)
  .venv/bin/rasa train --config "$config" --domain domain.yml --data data --out models \
      --fixed-model-name "$name" --force --quiet >&2
  echo "trained in $(( $(date +%s) - start )) s" >&2
fi
ln -sf "$name.tar.gz" "models/current-$(basename "$config" .yml).tar.gz"
echo "$model"
