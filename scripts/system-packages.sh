#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those that are missing.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
declare -A wanted=(
  [chromium]=/usr/bin/chromium          # browser tests
  [docker-compose]=/usr/bin/docker-compose  # validates docker-compose.yml without an engine
  [gettext]=/usr/bin/msgfmt             # compilemessages
  [poppler-utils]=/usr/bin/pdftoppm     # looking at generated PDFs
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf  # PDF font
  [libpango-1.0-0]=/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0         # WeasyPrint
  [libpangoft2-1.0-0]=/usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0   # WeasyPrint
)
missing=()
for pkg in "${!wanted[@]}"; do
  path=${wanted[$pkg]}
  if [ ! -e "$path" ] && ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
# Debian's python3 has no venv/ensurepip without python3-venv.
python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
