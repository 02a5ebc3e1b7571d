package pyalloc.report.html;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A headless Chromium driven through the DevTools protocol (a WebSocket on the loopback interface): it opens a
 * page with the network switched off, collects every console error, uncaught exception, log error and request
 * the page makes, runs a check in the page and takes a full-page screenshot.
 */
final class Chromium {
    private static final long TIMEOUT_S = 60;

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final List<Runnable> onEvent = new CopyOnWriteArrayList<>();

    /** What a page did in the browser. */
    record Visit(List<String> errors, List<String> requests, Map<String, Object> check) {
    }

    private Chromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /**
     * Returns the browser to use: {@code $PYALLOC_CHROMIUM}, else the first of chromium, chromium-browser,
     * google-chrome on the PATH.
     */
    static Optional<Path> find() {
        String env = System.getenv("PYALLOC_CHROMIUM");
        if (env != null && !env.isEmpty()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code binary} headless with a fresh profile in {@code profile}, everything that would reach the
     * network switched off (and a proxy that goes nowhere, should anything try), and connects to it.
     */
    static Chromium start(Path binary, Path profile) throws IOException, InterruptedException {
        List<String> cmd = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--mute-audio", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "about:blank");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    int at = line.indexOf("DevTools listening on ");
                    if (at >= 0) {
                        endpoint.complete(line.substring(at + "DevTools listening on ".length()).trim());
                    } else if (!endpoint.isDone()) {
                        log.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the browser went away; whoever waits for it times out and says so
            }
            endpoint.complete(null);
        }, "chromium-output");
        drain.setDaemon(true);
        drain.start();
        String ws;
        try {
            ws = endpoint.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            ws = null;
        }
        if (ws == null) {
            p.destroyForcibly();
            throw new IOException(binary + " did not open its DevTools endpoint:\n" + log);
        }
        Chromium[] self = new Chromium[1];
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(ws), new WebSocket.Listener() {
                    private final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        part.append(data);
                        if (last) {
                            String msg = part.toString();
                            part.setLength(0);
                            while (self[0] == null) {
                                Thread.onSpinWait();
                            }
                            self[0].receive(msg);
                        }
                        w.request(1);
                        return null;
                    }
                }).join();
        self[0] = new Chromium(p, socket);
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private void receive(String msg) {
        Map<String, Object> m = (Map<String, Object>) Json.parse(msg);
        Object id = m.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> f = pending.remove(((Double) id).intValue());
            if (f != null) {
                f.complete(m);
            }
        } else {
            events.add(m);
            onEvent.forEach(Runnable::run);
        }
    }

    /** Sends a command (to a page's session, or to the browser when {@code session} is null); returns its result. */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(String session, String method, Map<String, Object> params) throws IOException {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        pending.put(id, reply);
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", id);
        msg.put("method", method);
        msg.put("params", params);
        if (session != null) {
            msg.put("sessionId", session);
        }
        socket.sendText(Json.write(msg), true).join();
        Map<String, Object> r;
        try {
            r = reply.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException(method + ": no reply from the browser", e);
        }
        if (r.containsKey("error")) {
            throw new IOException(method + ": " + Json.write(r.get("error")));
        }
        return (Map<String, Object>) r.get("result");
    }

    /**
     * Opens {@code page} in a new tab with the network offline, waits for it to load, evaluates {@code check} (an
     * expression whose value is a JSON object) and writes a full-page screenshot {@code width} pixels wide.
     */
    @SuppressWarnings("unchecked")
    Visit visit(Path page, String check, Path screenshot, int width) throws IOException, InterruptedException {
        String target = (String) send(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
        String session = (String) send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .get("sessionId");
        Predicate<Map<String, Object>> mine = e -> session.equals(e.get("sessionId"));
        for (String domain : new String[] {"Runtime", "Log", "Network", "Page"}) {
            send(session, domain + ".enable", Map.of());
        }
        send(session, "Network.emulateNetworkConditions", Map.of("offline", true, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
        send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900,
                "deviceScaleFactor", 1, "mobile", false));
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        Runnable watch = () -> {
            for (Map<String, Object> e : events) {
                if (mine.test(e) && "Page.loadEventFired".equals(e.get("method"))) {
                    loaded.complete(null);
                }
            }
        };
        onEvent.add(watch);
        String url = page.toUri().toString();
        send(session, "Page.navigate", Map.of("url", url));
        try {
            loaded.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException(url + " did not finish loading", e);
        } finally {
            onEvent.remove(watch);
        }
        Map<String, Object> value = (Map<String, Object>) Json.at(send(session, "Runtime.evaluate",
                Map.of("expression", check, "returnByValue", true, "awaitPromise", true)), "result", "value");
        double height = (Double) Json.at(send(session, "Page.getLayoutMetrics", Map.of()), "cssContentSize", "height");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", width, "height", Math.min(16000, Math.ceil(height)),
                "scale", 1);
        String png = (String) send(session, "Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", clip)).get("data");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, Base64.getDecoder().decode(png));
        Thread.sleep(100);  // the last log entries of the page arrive just after its events
        send(null, "Target.closeTarget", Map.of("targetId", target));

        List<String> errors = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (Map<String, Object> e : events) {
            if (!mine.test(e)) {
                continue;
            }
            Object params = e.get("params");
            switch ((String) e.get("method")) {
                case "Runtime.consoleAPICalled" -> {
                    String type = (String) Json.at(params, "type");
                    if (type.equals("error") || type.equals("assert")) {
                        errors.add("console." + type + ": " + Json.write(Json.at(params, "args")));
                    }
                }
                case "Runtime.exceptionThrown" -> errors.add("exception: "
                        + Json.at(params, "exceptionDetails", "text") + " "
                        + Json.write(Json.at(params, "exceptionDetails", "exception", "description")));
                case "Log.entryAdded" -> {
                    if ("error".equals(Json.at(params, "entry", "level"))) {
                        errors.add("log: " + Json.at(params, "entry", "text") + " " + Json.at(params, "entry", "url"));
                    }
                }
                case "Network.requestWillBeSent" -> {
                    String u = (String) Json.at(params, "request", "url");
                    if (!u.equals(url) && !u.startsWith("data:")) {
                        requests.add(u);
                    }
                }
                default -> { }
            }
        }
        return new Visit(errors, requests, value);
    }

    /** Closes the browser and waits for it to end. */
    void close() throws InterruptedException {
        try {
            send(null, "Browser.close", Map.of());
        } catch (IOException e) {
            // it may close before it replies
        }
        socket.abort();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
