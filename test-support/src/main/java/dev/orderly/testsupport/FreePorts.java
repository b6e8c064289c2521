package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks TCP ports on the loopback interface that nothing listens on, and probes whether something does.
 *
 * <p>Invariant: the ports of one call are distinct, because all of them are held open until the last is chosen.
 * (Another process may still take one before our server binds it; servers then fail to start, loudly.)
 */
public final class FreePorts {

    private FreePorts() {}

    /** {@code count} distinct ports nothing listens on now. */
    public static int[] pick(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not find free loopback ports", ex);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ex) {
                    // Closing a probe socket cannot fail in a way that matters here.
                }
            }
        }
    }

    /**
     * {@code wanted} if it is free on loopback and not in {@code taken}, else a free port not in {@code taken}: a
     * launcher keeps the ports people know (8080, 5432) where it can and steps aside where something holds them.
     * A {@code wanted} of 0 or less asks for any free port.
     */
    public static int preferred(int wanted, java.util.Set<Integer> taken) {
        if (wanted > 0 && !taken.contains(wanted) && bindable(wanted)) {
            return wanted;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = pick(1)[0];
            if (!taken.contains(port)) {
                return port;
            }
        }
        throw new IllegalStateException("Could not find a free loopback port outside " + taken);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException ex) {
            return false;
        }
    }

    /** Whether something accepts TCP connections on {@code host:port}. */
    public static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException ex) {
            return false;
        }
    }
}
