#!/usr/bin/env bash
# Makes Orderly's private CA and the certificates it signs, as PEM files in one directory, unless a complete set is
# there already (servers may be running with it):
#   ca.crt                        the CA every server and client trusts (its key, ca.key, never leaves DIR)
#   postgres.crt, rabbitmq.crt    a server certificate each, for localhost, 127.0.0.1 and every HOST given
#   client.crt                    the certificate the services present to RabbitMQ (fail_if_no_peer_cert)
# each key beside its certificate (.key: EC P-256, PKCS#8, mode 600).
#
#   deploy/tls/make-certificates.sh DIR [HOST...]
#
# The one recipe for every setup: test-support runs it (PrivateCa: the tests, ./orderly up), docker compose's one-shot
# service tls runs it with the compose service names as HOSTs. Inspect a certificate with
#   openssl x509 -in DIR/postgres.crt -noout -text
set -euo pipefail
dir=${1:?usage: make-certificates.sh DIR [HOST...]}
shift
complete=true
for name in ca postgres rabbitmq client; do
  [[ -f $dir/$name.crt && -f $dir/$name.key ]] || complete=false
done
if $complete; then exit 0; fi

mkdir -p "$dir"
umask 077
names="DNS:localhost,IP:127.0.0.1"
for host in "$@"; do names="$names,DNS:$host"; done
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

openssl req -x509 -new "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3650 \
  -subj "/O=Orderly/CN=Orderly private CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# sign NAME EXTENDED_KEY_USAGE SUBJECT_ALT_NAMES: a key and a certificate the CA signs, valid 825 days.
sign() {
  local name=$1
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$2" "$3" >"$dir/$name.ext"
  openssl req -new "${ec[@]}" -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/O=Orderly/CN=$name"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAserial "$dir/ca.srl" -CAcreateserial -days 825 -extfile "$dir/$name.ext" -out "$dir/$name.crt"
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}
sign postgres serverAuth "$names"
sign rabbitmq serverAuth "$names"
sign client clientAuth "DNS:orderly-services"
rm -f "$dir/ca.srl"
chmod 600 "$dir"/*.key
chmod 644 "$dir"/*.crt
