#!/usr/bin/env bash
# Regenerates data/reference/lifetimes-0.11.3.json: fits and per-client predictions of the
# Python package lifetimes 0.11.3 on the reference data, which tests/models_vs_lifetimes.rs
# compares rapport with. Not part of CI (it installs lifetimes and its pinned dependencies in a
# virtual environment under target/); run it by hand when the comparison should be redone.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/lifetimes-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    lifetimes==0.11.3 pandas==1.5.3 numpy==1.23.5 scipy==1.10.1 autograd==1.6.2
fi
"$venv/bin/python" scripts/lifetimes_reference.py > data/reference/lifetimes-0.11.3.json
echo "wrote data/reference/lifetimes-0.11.3.json" >&2
