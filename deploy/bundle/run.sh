#!/bin/sh
# Start the 整改进展看板 from this bundle (after ./install.sh) with the production settings
# (ui.launch.PRODUCTION_FLAGS). It listens on 127.0.0.1 only (nginx in front, see
# deploy/README.md); ZHENGGAI_SERVER_ADDRESS=0.0.0.0 ./run.sh listens on every interface.
# Arguments go to `streamlit run` and win over the settings before them, e.g.
#   ./run.sh --server.port 8600
# The published versions are kept in ZHENGGAI_STORE (default: store/ here).
set -eu
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    echo "错误：尚未安装，请先运行 ./install.sh" >&2
    exit 1
fi
exec .venv/bin/python -m streamlit run dashboard.py \
    --server.address "${ZHENGGAI_SERVER_ADDRESS:-127.0.0.1}" @PRODUCTION_FLAGS@ "$@"
