package dev.orderly.messaging.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderly.messaging.consumer.ProbeApplication;
import dev.orderly.testsupport.RealInfrastructure;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Every session of a service's pool carries the database timeouts, and the driver has its socket timeout. */
@SpringBootTest(classes = ProbeApplication.class)
@RealInfrastructure
class DatabaseTimeoutsIntegrationTests {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Test
    void pooledSessionsHaveTheStatementLockAndIdleInTransactionTimeouts() {
        assertThat(show("statement_timeout")).isEqualTo("15s");
        assertThat(show("lock_timeout")).isEqualTo("5s");
        assertThat(show("idle_in_transaction_session_timeout")).isEqualTo("1min");
    }

    @Test
    void theDriverGivesUpOnASilentConnectionAfterTheSocketTimeout() {
        HikariDataSource pool = (HikariDataSource) dataSource;
        assertThat(pool.getDataSourceProperties())
                .containsEntry("socketTimeout", "30")
                .containsEntry("tcpKeepAlive", "true");
    }

    private String show(String setting) {
        return jdbc.sql("SHOW " + setting).query(String.class).single();
    }
}
