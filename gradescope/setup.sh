#!/usr/bin/env bash
# Gradescope image set-up (runs as root once): the same install as `make test`/`make run`.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv make bubblewrap libseccomp2
cd /autograder/source
make .venv/.installed PYTHON=python3.11
