# RabbitMQ PerfTest, the broker's own ceiling in the benchmarks' runs: resolved from Maven Central
# (bench/relay-perftest.pom.xml) into the run's state directory, and run over AMQP with TLS and the private CA's client
# certificate, as the broker requires of every client. Sourced by bench/e2e.sh and bench/relay.sh after ./orderly up;
# needs ROOT, STATE (the run's ORDERLY_STATE_DIR, whose tls/ ./orderly up made), JAVA and the env file's variables.
# shellcheck shell=bash

# perftest SECONDS OUT [RATE]: 1 producer, 1 consumer, a quorum queue, 1 KiB persistent messages, confirms (500
# outstanding), for SECONDS, as fast as it can or at RATE msg/s; its output in OUT. Fails only when PerfTest cannot be
# resolved or its key stores made: a failed run leaves OUT without a rate, which the caller reports.
perftest() {
  local seconds=$1 out=$2 rate=${3:-}
  if [[ ! -d $STATE/perftest-lib ]]; then
    (cd "$ROOT" && ./mvnw -q -B -f bench/relay-perftest.pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$STATE/perftest-lib") >"$STATE/perftest-resolve.log" 2>&1 ||
      { tail -n 20 "$STATE/perftest-resolve.log" >&2; echo "resolving PerfTest failed" >&2; return 1; }
  fi
  # PerfTest uses Java's default SSL context when told to: PKCS#12 stores of the client certificate and of the CA.
  if [[ ! -f $STATE/perftest-trust.p12 ]]; then
    openssl pkcs12 -export -in "$STATE/tls/client.crt" -inkey "$STATE/tls/client.key" \
      -out "$STATE/perftest-client.p12" -passout pass:perftest || return 1
    "${JAVA%/java}/keytool" -importcert -noprompt -alias orderly-ca -file "$STATE/tls/ca.crt" \
      -keystore "$STATE/perftest-trust.p12" -storetype PKCS12 -storepass perftest >/dev/null || return 1
  fi
  "$JAVA" -Djavax.net.ssl.keyStore="$STATE/perftest-client.p12" -Djavax.net.ssl.keyStorePassword=perftest \
    -Djavax.net.ssl.keyStoreType=PKCS12 -Djavax.net.ssl.trustStore="$STATE/perftest-trust.p12" \
    -Djavax.net.ssl.trustStorePassword=perftest -cp "$STATE/perftest-lib/*" com.rabbitmq.perf.PerfTest \
    --uri "amqps://orderly-admin:$ORDERLY_RABBITMQ_ADMIN_PASSWORD@127.0.0.1:$ORDERLY_RABBITMQ_PORT/orderly" \
    --use-default-ssl-context \
    --quorum-queue --queue bench.perftest --size 1000 --flag persistent --confirm 500 \
    --producers 1 --consumers 1 --time "$seconds" ${rate:+--rate "$rate"} >"$out" 2>&1 || true
}
