#!/bin/sh
# tests/sinks/mkca.sh DIR [NAME...] -- a throw-away test CA and a server
# certificate for 127.0.0.1 / ::1 / localhost (and each DNS NAME given),
# signed by it (openssl, EC P-256):
#   DIR/ca.pem DIR/ca.key DIR/server.pem DIR/server.key
# The keys are for tests only; DIR is created if missing.
set -eu
[ $# -ge 1 ] || { echo "usage: mkca.sh DIR [NAME...]" >&2; exit 2; }
d=$1
shift
san="IP:127.0.0.1,IP:::1,DNS:localhost"
for n in "$@"; do san="$san,DNS:$n"; done
mkdir -p "$d"
cd "$d"
umask 077
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 30 -subj "/CN=tripline test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out server.pem -days 30 -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
openssl verify -CAfile ca.pem server.pem >/dev/null
