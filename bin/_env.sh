# Shared by bin/run and bin/test: a virtualenv with the project's packages, and the npm packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
req=${1:-requirements.txt}
stamp=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$(basename "$req")"
if [ ! -f "$stamp" ]; then
  echo "== installing Python packages ($req)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  touch "$stamp"
fi
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing npm (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "npm is needed for the front-end packages (Bootstrap, htmx, ECharts): apt-get install npm" >&2
    exit 1
  fi
fi
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.copy; then
  echo "== installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.copy
fi
