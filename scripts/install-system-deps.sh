#!/usr/bin/env bash
# Installs the Debian packages paragon needs when they are missing: tesseract with Polish and English data,
# its headers and a C++ compiler (tesserocr is built against this tesseract, so the reader can keep it loaded
# in-process and read exactly as the command does), the fonts the fixture generator prints with (DejaVu,
# Liberation, Noto Mono, Inconsolata, Courier Prime, Terminus; fixtures/fonts.py names each file),
# redis-server for the embedded default, and Chromium for the browser tests (skip: PARAGON_SKIP_CHROMIUM=1).
set -euo pipefail

need=()
langs=$(tesseract --list-langs 2>/dev/null || true)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
grep -qx pol <<<"$langs" || need+=(tesseract-ocr-pol)
grep -qx eng <<<"$langs" || need+=(tesseract-ocr-eng)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf ] || need+=(fonts-dejavu-extra)
[ -f /usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf ] || need+=(fonts-liberation)
[ -f /usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf ] || need+=(fonts-noto-mono)
[ -f /usr/share/fonts/truetype/inconsolata/Inconsolata.otf ] || need+=(fonts-inconsolata)
[ -f "/usr/share/fonts/opentype/courier-prime/Courier Prime.otf" ] || need+=(fonts-courier-prime)
[ -f /usr/share/fonts/opentype/terminus/terminus-normal.otb ] || need+=(fonts-terminus-otb)
pkg-config --exists tesseract lept 2>/dev/null || need+=(libtesseract-dev libleptonica-dev pkg-config)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v npm >/dev/null 2>&1 || need+=(npm)  # axe-core for the browser tests
if [ "${PARAGON_SKIP_CHROMIUM:-0}" != 1 ]; then
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fi

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "installing Debian packages: ${need[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
