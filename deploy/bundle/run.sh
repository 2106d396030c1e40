#!/bin/sh
# Start the 整改进展看板 from this bundle (after ./install.sh) with the production settings
# (ui.launch.PRODUCTION_FLAGS). Arguments go to `streamlit run`, e.g.
#   ./run.sh --server.port 8600 --server.address 127.0.0.1
# The published versions are kept in ZHENGGAI_STORE (default: store/ here).
set -eu
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    echo "错误：尚未安装，请先运行 ./install.sh" >&2
    exit 1
fi
exec .venv/bin/python -m streamlit run dashboard.py @PRODUCTION_FLAGS@ "$@"
