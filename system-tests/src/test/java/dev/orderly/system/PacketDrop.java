package dev.orderly.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A silent network loss between the pipeline and one of its servers, or between a RabbitMQ node and the rest of its
 * cluster: every TCP packet to and from one loopback port (and, for a node, its own source address) is dropped
 * (iptables, {@code INPUT} on {@code lo}), so connections neither fail nor answer, as when a network path dies without
 * a reset. Only the pipeline's own port (and address) is named, each rule carries a comment naming it, and the rules
 * are removed on {@link #close()}, or by a JVM shutdown hook if the test run is killed first.
 *
 * <p>Invariant: at most the rules this object added are removed, each exactly once.
 */
final class PacketDrop implements AutoCloseable {

    private final List<List<String>> rules = new ArrayList<>();
    private final Thread cleanup = new Thread(this::removeRules, "orderly-packet-drop-cleanup");
    private boolean removed;

    private PacketDrop(int port, List<List<String>> matches) {
        String comment = "orderly-system-test-drop-" + port;
        for (List<String> match : matches) {
            List<String> rule = new ArrayList<>(List.of("INPUT", "-i", "lo", "-p", "tcp"));
            rule.addAll(match);
            rule.addAll(List.of("-m", "comment", "--comment", comment, "-j", "DROP"));
            rules.add(List.copyOf(rule));
        }
    }

    /** Starts dropping every packet to and from {@code port} on loopback. */
    static PacketDrop on(int port) {
        return start(new PacketDrop(
                port, List.of(List.of("--dport", Integer.toString(port)), List.of("--sport", Integer.toString(port)))));
    }

    /**
     * Starts dropping every packet of a RabbitMQ node's distribution connections, and nothing else of it: to and from
     * its distribution port (the connections the other nodes opened to it), and to and from {@code address}, which its
     * own connections to them come from (test-support's {@code ProcessRabbit.clusterNodeAddress}). Its clients'
     * connections, to its AMQP port, are left alone: the node is cut off from the rest of its cluster, not from them.
     */
    static PacketDrop isolating(int distributionPort, String address) {
        String port = Integer.toString(distributionPort);
        return start(new PacketDrop(
                distributionPort,
                List.of(
                        List.of("--dport", port),
                        List.of("--sport", port),
                        List.of("-s", address),
                        List.of("-d", address))));
    }

    private static PacketDrop start(PacketDrop drop) {
        Runtime.getRuntime().addShutdownHook(drop.cleanup);
        for (List<String> rule : drop.rules) {
            List<String> command = new ArrayList<>(List.of("iptables", "-w", "5", "-I"));
            command.addAll(rule);
            run(command);
        }
        return drop;
    }

    /** Whether this run may add iptables rules: root, with a working iptables. */
    static boolean available() {
        try {
            return "0".equals(output(List.of("id", "-u")).strip())
                    && exitCode(List.of("iptables", "-w", "5", "-n", "-L", "INPUT")) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Lets packets through again. */
    @Override
    public void close() {
        removeRules();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or has run, removeRules itself
        }
    }

    private synchronized void removeRules() {
        if (removed) {
            return;
        }
        removed = true;
        for (List<String> rule : rules) {
            List<String> command = new ArrayList<>(List.of("iptables", "-w", "5", "-D"));
            command.addAll(rule);
            if (exitCode(command) != 0) {
                System.err.println(
                        "Could not remove iptables rule " + rule + "; remove it by hand: " + String.join(" ", command));
            }
        }
    }

    private static void run(List<String> command) {
        if (exitCode(command) != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static int exitCode(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
