#!/usr/bin/env bash
# Trains only when the content hash changed; the model is models/<config>-<hash>.tar.gz. Prints its path last.
# Fails (and removes the model) when Rasa warns about the training data (scripts/data_warnings.py).
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
  mkdir -p models
  log="models/$name.train.log"
  .venv/bin/rasa train --config "$config" --domain domain.yml --data data --out models \
      --fixed-model-name "$name" --force --quiet 2>&1 | tee "$log" >&2
  # Warnings about the data (e.g. an entity that splits a jieba token) fail the training: see data_warnings.py
  if ! warnings=$(.venv/bin/python scripts/data_warnings.py "$log" 2>&1); then
    rm -f "$model"
    echo "training data warnings: fix data/ (patterns in scripts/data_warnings.py; log in $log)" >&2
    echo "$warnings" >&2
    exit 1
  fi
  echo "trained in $(( $(date +%s) - start )) s" >&2
fi
ln -sf "$name.tar.gz" "models/current-$(basename "$config" .yml).tar.gz"
echo "$model"
