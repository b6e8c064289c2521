package dev.orderly.testsupport;

import java.nio.file.Path;

/**
 * Where a private server's long-running processes are written down as soon as they exist, so that whoever must stop
 * them later finds them by PID even if the process that started them is gone: the tests' run directory, or
 * {@code ./orderly}'s state directory.
 */
public interface ProcessRecorder {

    /** Records a process started for {@code name} ({@code postgres}, {@code rabbitmq}, {@code epmd}). */
    void record(String name, ProcessHandle process);

    /**
     * Records a PID file a server is about to write (PostgreSQL's {@code postmaster.pid}), so that the server can be
     * found even if it is never recorded by PID.
     */
    void recordPidFile(String name, Path pidFile);
}
