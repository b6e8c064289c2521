# Debezium Server, the peer bench/relay.sh measures the relay against when PEER=debezium: taken once from Maven
# Central (io.debezium:debezium-server-dist, a tar.gz of about 780 MB unpacked to about 1.1 GB) into a cache outside the
# checkout (ORDERLY_BENCH_CACHE, ~/.cache/orderly), and run on the same table, writer, consumer and measurement as the
# relay: order-api's own orders.outbox, read from a logical replication slot (pgoutput) through a publication, rows
# turned into messages by its outbox EventRouter (id event_id, key aggregate_id, payload payload, routing key the
# routing_key column), published with confirms to orders.events by its RabbitMQ sink. Sourced by bench/relay.sh after
# ./orderly up; needs ROOT, STATE, JAVA, psql_ and the env file's variables.
# shellcheck shell=bash

DEBEZIUM_VERSION=${DEBEZIUM_VERSION:-3.6.0.Final}
DEBEZIUM_PID=

# The unpacked distribution (its runner jar and lib/), downloaded from Maven Central (ORDERLY_MAVEN_REPOSITORY) and
# checked against the repository's SHA-1 the first time. Not through Maven: the artifact's POM names a parent that the
# repository may not serve, and Maven refuses an artifact whose descriptor it cannot read.
debezium_home() {
  local cache=${ORDERLY_BENCH_CACHE:-$HOME/.cache/orderly}
  local home=$cache/debezium-server-$DEBEZIUM_VERSION
  local name=debezium-server-dist-$DEBEZIUM_VERSION.tar.gz
  local url=${ORDERLY_MAVEN_REPOSITORY:-https://repo.maven.apache.org/maven2}/io/debezium/debezium-server-dist/$DEBEZIUM_VERSION/$name
  if ! ls "$home"/debezium-server/debezium-server-dist-*-runner.jar >/dev/null 2>&1; then
    mkdir -p "$cache"
    if [[ ! -f $cache/$name ]]; then
      echo "  downloading $url (about 780 MB, once) into $cache" >&2
      curl -fsS --retry 3 -o "$cache/$name.part" "$url" || { echo "downloading Debezium Server failed" >&2; return 1; }
      [[ $(curl -fsS "$url.sha1" | cut -c1-40) == $(sha1sum "$cache/$name.part" | cut -c1-40) ]] ||
        { rm -f "$cache/$name.part"; echo "$name does not match the repository's SHA-1" >&2; return 1; }
      mv "$cache/$name.part" "$cache/$name"
    fi
    echo "  unpacking $name into $home (about 1.1 GB)" >&2
    rm -rf "$home.part" "$home" && mkdir -p "$home.part" && tar xzf "$cache/$name" -C "$home.part" &&
      mv "$home.part" "$home" ||
      { echo "unpacking $name failed" >&2; return 1; }
  fi
  echo "$home/debezium-server"
}

# What Debezium needs of PostgreSQL, made once per pipeline: wal_level=logical (bench/relay.sh starts PostgreSQL with
# it), a login role with REPLICATION that may read orders.outbox and nothing else, with a generated password, and a
# publication of that one table made by a superuser (Debezium's role owns no table, so it may not make one itself:
# publication.autocreate.mode=disabled).
debezium_prepare() {
  [[ $(psql_ -c 'SHOW wal_level') == logical ]] || { echo "PostgreSQL runs without wal_level=logical" >&2; return 1; }
  DEBEZIUM_PASSWORD=$(openssl rand -hex 24)
  psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orderly_bench_cdc') THEN
    CREATE ROLE orderly_bench_cdc LOGIN REPLICATION;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'orderly_bench') THEN
    CREATE PUBLICATION orderly_bench FOR TABLE orders.outbox;
  END IF;
END \$\$;
ALTER ROLE orderly_bench_cdc PASSWORD '$DEBEZIUM_PASSWORD';
GRANT CONNECT ON DATABASE orderly TO orderly_bench_cdc;
GRANT USAGE ON SCHEMA orders TO orderly_bench_cdc;
GRANT SELECT ON orders.outbox TO orderly_bench_cdc;
SQL
  # The RabbitMQ Java client's own TLS settings: a PKCS#12 store of the client certificate (the broker requires one of
  # every client) and one of the CA.
  if [[ ! -f $STATE/debezium-trust.p12 ]]; then
    openssl pkcs12 -export -in "$STATE/tls/client.crt" -inkey "$STATE/tls/client.key" \
      -out "$STATE/debezium-client.p12" -passout pass:debezium || return 1
    "${JAVA%/java}/keytool" -importcert -noprompt -alias orderly-ca -file "$STATE/tls/ca.crt" \
      -keystore "$STATE/debezium-trust.p12" -storetype PKCS12 -storepass debezium >/dev/null || return 1
  fi
}

# debezium_start NAME POLL_MS: a fresh slot and offsets (it streams what is committed from now on, no snapshot), the
# relay's JVM flags, started in $STATE/NAME and awaited until it streams; its PID in DEBEZIUM_PID.
debezium_start() {
  local name=$1 poll=$2 dir port
  debezium_home >/dev/null || return 1
  dir=$STATE/$name
  rm -rf "$dir" && mkdir -p "$dir/config"
  # A slot an interrupted run left would replay what it had not confirmed: it goes, and Debezium makes its own.
  psql_ -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'orderly_bench' AND NOT active" \
    >/dev/null || return 1
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # $${routedByValue}: the EventRouter's own placeholder, kept from Quarkus's configuration expansion.
  cat >"$dir/config/application.properties" <<PROPERTIES
quarkus.http.host=127.0.0.1
quarkus.http.port=$port
quarkus.log.level=INFO
debezium.format.key=simplestring
debezium.format.value=simplestring
debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector
debezium.source.offset.storage.file.filename=$dir/offsets.dat
debezium.source.offset.flush.interval.ms=1000
debezium.source.database.hostname=127.0.0.1
debezium.source.database.port=$ORDERLY_POSTGRES_PORT
debezium.source.database.user=orderly_bench_cdc
debezium.source.database.password=$DEBEZIUM_PASSWORD
debezium.source.database.dbname=orderly
debezium.source.database.sslmode=verify-full
debezium.source.database.sslrootcert=$STATE/tls/ca.crt
debezium.source.topic.prefix=orderly
debezium.source.plugin.name=pgoutput
debezium.source.publication.name=orderly_bench
debezium.source.publication.autocreate.mode=disabled
debezium.source.slot.name=orderly_bench
debezium.source.table.include.list=orders.outbox
debezium.source.snapshot.mode=no_data
debezium.source.poll.interval.ms=$poll
debezium.transforms=outbox
debezium.transforms.outbox.type=io.debezium.transforms.outbox.EventRouter
debezium.transforms.outbox.table.field.event.id=event_id
debezium.transforms.outbox.table.field.event.key=aggregate_id
debezium.transforms.outbox.table.field.event.payload=payload
debezium.transforms.outbox.route.by.field=routing_key
debezium.transforms.outbox.route.topic.replacement=\$\${routedByValue}
debezium.sink.type=rabbitmq
debezium.sink.rabbitmq.connection.host=127.0.0.1
debezium.sink.rabbitmq.connection.port=$ORDERLY_RABBITMQ_PORT
debezium.sink.rabbitmq.connection.virtual.host=orderly
debezium.sink.rabbitmq.connection.username=orderly-admin
debezium.sink.rabbitmq.connection.password=$ORDERLY_RABBITMQ_ADMIN_PASSWORD
debezium.sink.rabbitmq.connection.ssl.enabled=true
debezium.sink.rabbitmq.connection.ssl.key.store=$STATE/debezium-client.p12
debezium.sink.rabbitmq.connection.ssl.key.store.password=debezium
debezium.sink.rabbitmq.connection.ssl.key.store.type=PKCS12
debezium.sink.rabbitmq.connection.ssl.trust.store=$STATE/debezium-trust.p12
debezium.sink.rabbitmq.connection.ssl.trust.store.password=debezium
debezium.sink.rabbitmq.connection.ssl.trust.store.type=PKCS12
debezium.sink.rabbitmq.connection.ssl.verify.hostname=true
debezium.sink.rabbitmq.exchange=orders.events
debezium.sink.rabbitmq.routingKey.source=topic
debezium.sink.rabbitmq.deliveryMode=2
PROPERTIES
  debezium_launch "$name"
}

# debezium_launch NAME: starts Debezium Server on the configuration and offsets in $STATE/NAME and waits until its slot
# is active (it streams); its PID in DEBEZIUM_PID.
debezium_launch() {
  local name=$1 home dir
  home=$(debezium_home) || return 1
  dir=$STATE/$name
  # exec: the PID is the JVM's own (its CPU is measured, and it is what debezium_stop signals).
  (cd "$dir" && exec setsid "$JAVA" -XX:+UseSerialGC -Xss512k -XX:MaxRAM=512m \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    -cp "$(ls "$home"/debezium-server-dist-*-runner.jar):$home/lib/*" io.debezium.server.Main) \
    >>"$dir/debezium.log" 2>&1 </dev/null &
  DEBEZIUM_PID=$!
  # Streaming once the slot it made is active.
  for _ in $(seq 1 240); do
    [[ $(psql_ -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'orderly_bench' AND active") == 1 ]] &&
      return 0
    kill -0 "$DEBEZIUM_PID" 2>/dev/null || { tail -n 40 "$dir/debezium.log" >&2; return 1; }
    sleep 0.5
  done
  tail -n 40 "$dir/debezium.log" >&2
  echo "Debezium Server did not start streaming within 120 s" >&2
  return 1
}

# Stops the running Debezium Server (SIGTERM, then SIGKILL after 20 s) and waits until its slot is inactive; the slot
# and the offsets stay, so debezium_launch resumes where it stopped (the backlog step: rows written while it is down).
debezium_pause() {
  [[ -n $DEBEZIUM_PID ]] || return 0
  kill "$DEBEZIUM_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$DEBEZIUM_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$DEBEZIUM_PID" 2>/dev/null || true
  DEBEZIUM_PID=
  for _ in $(seq 1 50); do
    [[ $(psql_ -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'orderly_bench' AND active") == 0 ]] && break
    sleep 0.2
  done
}

# Stops the running Debezium Server (debezium_pause) and drops its slot, so the next run starts
# afresh; marks the rows it delivered published, which nothing else does, so that a relay started on this pipeline
# later (ORDERLY_BENCH_STATE_DIR) does not send them again.
debezium_stop() {
  debezium_pause
  psql_ -c "SELECT pg_drop_replication_slot('orderly_bench') FROM pg_replication_slots WHERE slot_name = 'orderly_bench'" \
    >/dev/null || true
  psql_ -c "UPDATE orders.outbox SET published_at = clock_timestamp() WHERE published_at IS NULL" >/dev/null || true
}
