package dev.orderly.tools;

import java.io.PrintStream;

/**
 * Where the command talks to its user: progress on standard error (prefixed {@code orderly:}, as every line of
 * {@code ./orderly} always was), results on standard output.
 */
final class Console {

    private final PrintStream out;
    private final PrintStream err;

    Console(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** A progress line. */
    void say(String message) {
        err.println("\033[1morderly:\033[0m " + message);
    }

    /** A warning: something the user asked for is not done as asked. */
    void warn(String message) {
        err.println("\033[1;33morderly: warning:\033[0m " + message);
    }

    /** A failure line. */
    void fail(String message) {
        err.println("\033[1;31morderly:\033[0m " + message);
    }

    /** A line of the command's result. */
    void print(String line) {
        out.println(line);
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }
}
