package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.orderly.testsupport.OrderlyInfrastructure.Mode;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How the test infrastructure picks Docker or the system's packages. Invariant under test: a forced mode is honoured
 * or fails with what to do, and "nothing available" names the packages to install.
 */
class OrderlyInfrastructureTests {

    private static final Supplier<List<String>> ALL_INSTALLED = List::of;

    private static final Supplier<List<String>> NOTHING_INSTALLED =
            () -> List.of("/usr/lib/postgresql/<version>/bin/initdb (package postgresql)");

    private static final BooleanSupplier NO_DOCKER = () -> false;

    private static final BooleanSupplier DOCKER = () -> true;

    @Test
    void dockerIsPreferredWhenAnEngineAnswers() {
        assertThat(OrderlyInfrastructure.chooseMode(null, DOCKER, ALL_INSTALLED))
                .isEqualTo(Mode.DOCKER);
    }

    @Test
    void systemPackagesAreUsedWhenNoDockerEngineAnswers() {
        assertThat(OrderlyInfrastructure.chooseMode(null, NO_DOCKER, ALL_INSTALLED))
                .isEqualTo(Mode.PROCESSES);
        assertThat(OrderlyInfrastructure.chooseMode(" ", NO_DOCKER, ALL_INSTALLED))
                .isEqualTo(Mode.PROCESSES);
    }

    @Test
    void withNeitherDockerNorPackagesTheFailureSaysWhatToInstall() {
        assertThatIllegalStateException()
                .isThrownBy(() -> OrderlyInfrastructure.chooseMode(null, NO_DOCKER, NOTHING_INSTALLED))
                .withMessageContaining("apt-get install postgresql rabbitmq-server")
                .withMessageContaining("./orderly test")
                .withMessageContaining("start Docker")
                .withMessageContaining("/usr/lib/postgresql/<version>/bin/initdb");
    }

    @Test
    void forcingProcessesNeverAsksDocker() {
        BooleanSupplier mustNotAsk = () -> {
            throw new AssertionError("Docker was asked although ORDERLY_TEST_INFRA=processes");
        };
        assertThat(OrderlyInfrastructure.chooseMode("processes", mustNotAsk, ALL_INSTALLED))
                .isEqualTo(Mode.PROCESSES);
        assertThat(OrderlyInfrastructure.chooseMode("PROCESSES", mustNotAsk, ALL_INSTALLED))
                .isEqualTo(Mode.PROCESSES);
    }

    @Test
    void forcingProcessesWithoutPackagesSaysWhatToInstall() {
        assertThatIllegalStateException()
                .isThrownBy(() -> OrderlyInfrastructure.chooseMode("processes", DOCKER, NOTHING_INSTALLED))
                .withMessageContaining("apt-get install postgresql rabbitmq-server");
    }

    @Test
    void forcingDockerUsesItEvenWhenPackagesAreInstalled() {
        assertThat(OrderlyInfrastructure.chooseMode("docker", DOCKER, ALL_INSTALLED))
                .isEqualTo(Mode.DOCKER);
    }

    @Test
    void forcingDockerWithoutAnEngineFailsInsteadOfFallingBack() {
        assertThatIllegalStateException()
                .isThrownBy(() -> OrderlyInfrastructure.chooseMode("docker", NO_DOCKER, ALL_INSTALLED))
                .withMessageContaining("no Docker engine answers");
    }

    @Test
    void anUnknownModeIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() -> OrderlyInfrastructure.chooseMode("kubernetes", DOCKER, ALL_INSTALLED))
                .withMessageContaining("ORDERLY_TEST_INFRA must be 'docker' or 'processes'")
                .withMessageContaining("kubernetes");
    }
}
