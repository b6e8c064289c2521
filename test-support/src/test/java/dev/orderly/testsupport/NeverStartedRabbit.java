package dev.orderly.testsupport;

import java.nio.file.Path;
import java.util.List;

/** A {@link ProcessRabbit} that is never started: the tests read its ports, or call another node's management API with it. */
final class NeverStartedRabbit {

    private NeverStartedRabbit() {}

    static ProcessRabbit at(int managementPort, String adminPassword) {
        Path nowhere = Path.of("/nonexistent");
        return new ProcessRabbit(
                nowhere,
                new ProcessRabbit.Layout(nowhere, nowhere, nowhere, nowhere, nowhere),
                new ProcessRabbit.Ports(1, 2, 3, managementPort, 4),
                "never-started@localhost",
                adminPassword,
                List.of(),
                new ProcessRecorder() {
                    @Override
                    public void record(String name, ProcessHandle process) {}

                    @Override
                    public void recordPidFile(String name, Path pidFile) {}
                },
                false,
                PrivateCa.at(nowhere),
                "rabbitmq");
    }
}
