# Sourced by scripts/demo and scripts/test: a project venv with kuihua installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
STAMP=.venv/.kuihua-installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ "${1:-}" = "dev" -a ! -f .venv/.kuihua-dev ]; then
  echo "==> installing kuihua and its dependencies"
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ "${1:-}" = "dev" ]; then
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    touch .venv/.kuihua-dev
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
