#!/bin/sh
# Install the Debian 12 packages roadshowd needs, only those missing.
#   scripts/deps.sh build   - to build and run the service
#   scripts/deps.sh test    - also what the test suite uses
set -eu
BUILD="gcc make pkg-config libmicrohttpd-dev libical-dev libsqlite3-dev \
libjansson-dev libssl-dev check tzdata libsodium-dev libicu-dev zlib1g-dev \
libqrencode-dev"
TEST="python3 python3-icalendar python3-recurring-ical-events vdirsyncer \
chromium fonts-noto-cjk valgrind curl calcurse zbar-tools nginx wrk clang \
openssl"
want=$BUILD
[ "${1:-build}" = test ] && want="$BUILD $TEST"
# The ical.js tests need Node.js and npm; take Debian's when none is there.
if [ "${1:-build}" = test ] && ! command -v npm >/dev/null 2>&1; then
	want="$want nodejs npm"
fi
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
