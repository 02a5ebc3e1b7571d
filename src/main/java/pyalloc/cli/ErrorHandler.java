package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;
import pyalloc.capture.RecordException;
import pyalloc.obmalloc.profile.ProfileException;
import pyalloc.replay.HeapExhaustedException;
import pyalloc.replay.StrictAnomalyException;
import pyalloc.report.ReportDir;
import pyalloc.report.ReportFormatException;
import pyalloc.trace.TraceFormatException;

/**
 * Turns every failure into one line on standard error and its exit code (the JDK {@code jfr} tool's split of
 * syntax, data and internal errors). Only a bug, or {@code --debug}, shows a stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String prefix = prefix(cmd);
        boolean debug = PyallocCommand.debug(cmd);
        int code;
        String message;
        Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (cause instanceof PyallocException p) {
            code = p.exitCode();
            message = p.getMessage();
        } else if (cause instanceof RecordException r) {
            code = exitCode(r.reason());
            message = r.getMessage();
        } else if (cause instanceof TraceFormatException t) {
            code = ExitCode.BAD_TRACE;
            message = t.getMessage();
        } else if (cause instanceof ReportFormatException r) {
            code = ExitCode.BAD_TRACE;
            message = r.getMessage();
        } else if (cause instanceof ProfileException p) {
            code = ExitCode.USAGE;
            message = p.getMessage();
        } else if (cause instanceof HeapExhaustedException h) {
            code = ExitCode.OUT_OF_MEMORY;
            message = h.getMessage();
        } else if (cause instanceof StrictAnomalyException s) {
            code = ExitCode.ANOMALY;
            message = traceName(cmd) + ":" + s.getMessage() + " (--strict)";
        } else if (cause instanceof IOException io) {
            code = ExitCode.IO;
            message = describe(io);
        } else if (cause instanceof InvalidPathException p) {
            code = ExitCode.USAGE;
            message = unnameable(p.getInput());
        } else {
            code = ExitCode.INTERNAL;
            message = "internal error: " + cause + " (this is a bug in pyalloc; please report it with the trace"
                    + " and the stack trace below)";
            debug = true;
        }
        if (!debug && ReportDir.shuttingDown()) {
            return code;  // Ctrl-C: what failed after it failed because of it (its report folder went first)
        }
        err.println(prefix + message);
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Returns the exit code of a recording that could not be made, by why. */
    static int exitCode(RecordException.Reason reason) {
        return switch (reason) {
            case NO_INTERPRETER, REFUSED_SETTING -> ExitCode.USAGE;
            case OUTPUT -> ExitCode.IO;
            case UNSUPPORTED, NOT_TRACED -> ExitCode.CANNOT_RECORD;
        };
    }

    /**
     * Returns why {@code path} names no file: Java reads its arguments, and names files, in the locale's
     * character set (sun.jnu.encoding), so under {@code LC_ALL=C} a non-ASCII path arrives mangled
     * (bin/pyalloc runs Java under a UTF-8 locale for that reason).
     */
    static String unnameable(String path) {
        return "path " + TraceFormatException.quote(path) + " cannot be a file name in this locale's character set ("
                + System.getProperty("sun.jnu.encoding") + "): run pyalloc under a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    /** Returns a one-line description of an I/O failure, without exception class names. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file or folder";
        }
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "cannot be accessed");
        }
        return e.getMessage() != null ? e.getMessage() : "I/O error";
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static String traceName(CommandLine cmd) {
        Object o = cmd.getCommand();
        return o instanceof ReplayCommand r ? r.traceName() : o instanceof VerifyCommand v ? v.traceName()
                : o instanceof CompareCommand c ? c.traceName() : "trace";
    }
}
