#!/usr/bin/env bash
# One-time (and idempotent) set-up: system packages, the virtual environment, test tools.
# Usage: scripts/setup.sh [--test] [--bench] [--host mkdocs|properdocs] [--theme material|materialx]
#        (--test: what the test suite needs; --bench: what scripts/bench.py needs — jieba for Material's
#        search, pyinstrument, Debian's hugo; --host/--theme: the platform, README "Platform")
# The default platform, MkDocs + Material, lives in .venv; every other one in its own .venv-HOST-THEME
# (mkdocs-material and mkdocs-materialx install the same `material` package: they cannot share one).
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/setup.sh [--test] [--bench] [--host mkdocs|properdocs] [--theme material|materialx]"
want_test=0
want_bench=0
host=mkdocs
theme=material
while [ "$#" -gt 0 ]; do
  case "$1" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    --host) shift; host=${1:-} ;;
    --theme) shift; theme=${1:-} ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
case "$host" in mkdocs|properdocs) ;; *) echo "scripts/setup.sh: unknown host '$host'; $usage" >&2; exit 2 ;; esac
case "$theme" in material|materialx) ;; *) echo "scripts/setup.sh: unknown theme '$theme'; $usage" >&2; exit 2 ;; esac
venv=.venv
[ "$host-$theme" = mkdocs-material ] || venv=.venv-$host-$theme

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

# --- Python 3.11+ -------------------------------------------------------------------------
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY=$candidate; break
    fi
  done
fi
[ -n "$PY" ] || die "Python 3.11 or newer is needed (apt-get install python3 python3-venv)"

# --- system packages ------------------------------------------------------------------------
# fonts-noto-cjk: Chinese in the PDF and in screenshots; poppler-utils: pdftoppm/pdffonts;
# chromium: browser tests. The PDF (Typst, from PyPI) needs no system library, only the fonts:
# Noto CJK for Chinese, DejaVu for the symbols Noto CJK lacks.
need=()
# (fc-list's output in a variable: `fc-list | grep -q` fails under pipefail when grep stops reading early)
[ -n "$(fc-list 'Noto Serif CJK SC' family 2>/dev/null)" ] || need+=(fonts-noto-cjk)
[ -n "$(fc-list 'DejaVu Sans' family 2>/dev/null)" ] || need+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi
if [ "$want_bench" = 1 ]; then
  command -v hugo >/dev/null 2>&1 || need+=(hugo)
  [ -x /usr/bin/chromium ] || need+=(chromium)  # the search benchmark measures in the browser
fi
if [ "${#need[@]}" -gt 0 ]; then
  say "installing system packages: ${need[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed; install by hand: apt-get install ${need[*]}"
    apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install failed; install by hand: apt-get install ${need[*]}"
  else
    die "missing system packages; run as root: apt-get update && apt-get install ${need[*]}"
  fi
fi

# --- virtual environment ----------------------------------------------------------------------
stamp=$venv/.installed-$( (cat pyproject.toml; echo "$want_test $want_bench $host $theme") | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  say "creating $venv ($host + $theme) with $($PY --version) and installing the project"
  [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  wanted=("$theme")
  [ "$host" = mkdocs ] || wanted+=("$host")
  [ "$want_test" = 1 ] && wanted+=(test)
  [ "$want_bench" = 1 ] && wanted+=(bench)
  extras="[$(IFS=,; echo "${wanted[*]}")]"
  "$venv/bin/python" -m pip install -q -e ".$extras" 2>&1 | grep -v '^WARNING: Location' || true
  "$venv/bin/python" -c 'import newsletter.plugin, material' && [ -x "$venv/bin/$host" ] \
    || die "the project did not install into $venv"
  rm -f "$venv"/.installed-*; touch "$stamp"
fi

# --- bytecode of our modules --------------------------------------------------------------------
# An editable install leaves them without .pyc (pip compiles only what it copies), and where
# PYTHONDONTWRITEBYTECODE is set every `mkdocs build` would compile them again (part of starting a
# --dirty build); compileall writes only what is stale, and Python reads .pyc files whatever that setting.
"$venv/bin/python" -m compileall -q site_plugins >/dev/null || true

# --- browser test tools (npm registry): axe-core ------------------------------------------------
if [ "$want_test" = 1 ] && [ ! -f node_modules/axe-core/axe.min.js ]; then
  say "installing axe-core from the npm registry"
  npm ci --no-audit --no-fund --silent || die "npm ci failed (axe-core is needed by the accessibility tests)"
fi
