package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessPostgresTests {

    @Test
    void aZombieDoesNotRunThoughProcessHandleCallsItAlive() throws Exception {
        try (Zombie zombie = new Zombie()) {
            assertThat(zombie.handle().isAlive()).isTrue();
            assertThat(ProcessPostgres.runs(zombie.handle())).isFalse();
            assertThat(ProcessPostgres.runs(ProcessHandle.current())).isTrue();
        }
    }
}
