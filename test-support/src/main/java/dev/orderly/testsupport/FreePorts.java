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
final class FreePorts {

    private FreePorts() {}

    static int[] pick(int count) {
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

    /** Whether something accepts TCP connections on {@code host:port}. */
    static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException ex) {
            return false;
        }
    }
}
