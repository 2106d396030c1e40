#!/bin/sh
# Install the 整改进展看板 from this offline bundle: checks every file against SHA256SUMS,
# creates .venv here with the system python3 (3.11 or 3.12; set PYTHON=/path/to/python3.12
# to choose) and installs ONLY the wheels in wheels/, ONLY those requirements.lock names,
# each checked against its SHA-256 (pip --require-hashes; no network is used). Run again
# after unpacking a newer bundle.
set -eu
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

# Damaged or altered files stop the installation before anything is changed. (SHA256SUMS
# travels with the files: compare the SHA-256 of the .tar.gz itself with the one the
# developers sent separately, see deploy/README.md.)
if ! sha256sum --check --quiet --strict SHA256SUMS; then
    echo "错误：安装包中的文件与 SHA256SUMS 不符（文件损坏或被改动），未安装。请重新获取安装包。" >&2
    exit 1
fi

if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)'; then
    echo "错误：需要 Python 3.11 或 3.12（当前：$("$PYTHON" --version 2>&1)）。" >&2
    echo "可用 PYTHON=/usr/bin/python3.12 ./install.sh 指定。" >&2
    exit 1
fi

rm -rf .venv
if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv
    echo "错误：无法创建虚拟环境；Debian/Ubuntu 上请先安装 python3-venv：apt-get install python3-venv" >&2
    exit 1
fi

# Never look at an index, even if pip.conf names one; every wheel must match its hash.
if ! PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    .venv/bin/python -m pip install --require-hashes --no-index --find-links wheels \
    --requirement requirements.lock; then
    rm -rf .venv
    echo "错误：安装失败（见上方 pip 的信息；提示 hash 不符时，安装包已损坏或被改动），未安装。" >&2
    exit 1
fi

echo "安装完成。启动：./run.sh（只在本机 127.0.0.1 监听，默认端口 8501；例如 ./run.sh --server.port 8600）"
