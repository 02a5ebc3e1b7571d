package pyalloc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import pyalloc.replay.HeapExhaustedException;
import pyalloc.report.StandardOutput;

/** {@code pyalloc}: the top command; the work is in the subcommands. */
@Command(name = "pyalloc", mixinStandardHelpOptions = true, versionProvider = PyallocCommand.Version.class,
        description = {
            "Trace replayer and fragmentation analyzer for CPython's small-object allocator (pymalloc).",
            "",
            "Replays allocation traces through an exact simulation of pymalloc as a chosen CPython version"
                    + " (3.7 to 3.15) implements it, or a what-if variant, and reports how the arenas are used over"
                    + " time: why the process holds the memory it holds."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc replay traces/cache-3.12.pyat           replay a shipped sample; report in reports/",
            "  pyalloc compare app.pyat --profile all          the same trace under every version, side by side",
            "  pyalloc record -- python3.12 app.py             trace your own program into app.pyat",
            "  pyalloc verify app.pyat                         prove the replay against the real interpreter",
            "  pyalloc convert app.pyat app.csv                the trace as CSV (and back)",
            "  pyalloc help replay                             every option of a subcommand"})
public final class PyallocCommand implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show a stack trace with every error (for bug reports).")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /**
     * The subcommands by name, in the order help lists them. Suppliers, not the annotation's list: picocli builds
     * every listed subcommand's model by reflection before parsing, 0.1 s of each start, and a run needs one.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("replay", ReplayCommand::new);
        SUBCOMMANDS.put("compare", CompareCommand::new);
        SUBCOMMANDS.put("record", RecordCommand::new);
        SUBCOMMANDS.put("convert", ConvertCommand::new);
        SUBCOMMANDS.put("verify", VerifyCommand::new);
        SUBCOMMANDS.put("chart", ChartCommand::new);
        SUBCOMMANDS.put("profiles", ProfilesCommand::new);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    /**
     * Returns a command line with pyalloc's error handling and exit codes, ready to {@code execute(args)}: with
     * only the subcommand {@code args} run when they name one (help aside), else with all of them (top-level
     * help, a misspelt subcommand and its suggestions, tests).
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cmd = new CommandLine(new PyallocCommand());
        String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("help");
        for (Map.Entry<String, Supplier<Object>> sub : SUBCOMMANDS.entrySet()) {
            if (named.equals("help") || !SUBCOMMANDS.containsKey(named) || sub.getKey().equals(named)) {
                cmd.addSubcommand(sub.getKey(), sub.getValue().get());
            }
        }
        cmd.registerConverter(Path.class, PyallocCommand::path);
        cmd.setExecutionExceptionHandler(new ErrorHandler());
        cmd.setParameterExceptionHandler(PyallocCommand::usageError);
        Map<String, String> codes = new LinkedHashMap<>();
        for (String line : ExitCode.HELP_LIST) {
            int colon = line.indexOf(':');
            codes.put(line.substring(0, colon), line.substring(colon + 1));
        }
        apply(cmd, codes);
        cmd.setUsageHelpWidth(100);
        return cmd;
    }

    private static void apply(CommandLine cmd, Map<String, String> codes) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cmd.getSubcommands().values().forEach(sub -> apply(sub, codes));
    }

    /** Memory set aside at start-up and let go when the heap runs out, so that the message can still be made. */
    private static byte[] reserve = new byte[256 << 10];

    /** Returns the name of the command that ran ({@code pyalloc replay}), for messages. */
    private static String commandName(CommandLine cmd) {
        CommandLine.ParseResult parsed = cmd.getParseResult();
        while (parsed != null && parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed != null ? parsed.commandSpec().qualifiedName() : "pyalloc";
    }

    /** Converts a path argument, with a message a user can act on when it cannot name a file here. */
    private static Path path(String arg) {
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException(ErrorHandler.unnameable(arg));
        }
    }

    /** A bad command line: one line, a hint, exit 2 (picocli's usage errors). */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        cmd.getErr().flush();
        return ExitCode.USAGE;
    }

    /** Returns true when --debug was given anywhere on the command line. */
    static boolean debug(CommandLine cmd) {
        CommandLine top = cmd;
        while (top.getParent() != null) {
            top = top.getParent();
        }
        return ((PyallocCommand) top.getCommand()).debug;
    }

    public static void main(String[] args) {
        CommandLine cmd = commandLine(args);
        cmd.setOut(StandardOutput.open());
        System.exit(execute(cmd, args));
    }

    /**
     * Runs {@code cmd} and returns its exit code: {@link ExitCode#IO} with a line on standard error when a command
     * that succeeded could not write its standard output (help and --version included), since what it printed
     * went nowhere.
     */
    public static int execute(CommandLine cmd, String... args) {
        int code;
        try {
            code = cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // Out of memory where no command caught it (picocli passes errors on): exit 7 all the same.
            reserve = null;  // room for the message
            cmd.getErr().println(commandName(cmd) + ": out of memory: " + new HeapExhaustedException("the command's data")
                    .getMessage());
            cmd.getErr().flush();
            return ExitCode.OUT_OF_MEMORY;
        }
        PrintWriter out = cmd.getOut();
        if (out.checkError() && code == ExitCode.OK) {
            String reason = out instanceof StandardOutput s && s.failure() != null ? s.failure() : "write failed";
            cmd.getErr().println(commandName(cmd) + ": standard output: " + reason);
            cmd.getErr().flush();
            return ExitCode.IO;
        }
        return code;
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = PyallocCommand.class.getResourceAsStream("/pyalloc/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"pyalloc " + p.getProperty("version", "(development build)"),
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
        }
    }
}
