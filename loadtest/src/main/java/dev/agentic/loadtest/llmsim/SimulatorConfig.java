package dev.agentic.loadtest.llmsim;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the {@link LlmSimulator}. Validated on construction: an invalid value throws {@link
 * IllegalArgumentException} with a message naming the setting.
 *
 * @param port TCP port to listen on, 0..65535; 0 picks a free port (see {@link LlmSimulator#port()})
 * @param timeToFirstToken delay before the first token (streaming) or part of the whole answer delay
 * @param interTokenDelay delay between two consecutive tokens
 * @param outputTokens number of tokens in every answer (a request's {@code max_tokens} may lower it)
 * @param maxConcurrency chat requests served at once; beyond it requests get 429 at once
 * @param apiKey when set, {@code /v1/*} requires {@code Authorization: Bearer <apiKey>}
 * @param modelName the model id reported in answers and by {@code GET /v1/models}
 * @param host address to bind to; {@code 127.0.0.1} unless overridden
 */
public record SimulatorConfig(
        int port,
        Duration timeToFirstToken,
        Duration interTokenDelay,
        int outputTokens,
        int maxConcurrency,
        @Nullable String apiKey,
        String modelName,
        String host) {

    public static final int DEFAULT_PORT = 8090;
    public static final Duration DEFAULT_TTFT = Duration.ofMillis(200);
    public static final Duration DEFAULT_INTER_TOKEN = Duration.ofMillis(20);
    public static final int DEFAULT_OUTPUT_TOKENS = 40;
    public static final int DEFAULT_MAX_CONCURRENCY = 64;
    public static final String DEFAULT_MODEL = "agentic-llm-simulator";
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s)");

    /** The command-line options (without {@code --}) and the environment variables they fall back to. */
    static final Map<String, String> OPTIONS = options();

    public SimulatorConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535 (0 = any free port), was " + port);
        }
        requireNonNegative("timeToFirstToken", timeToFirstToken);
        requireNonNegative("interTokenDelay", interTokenDelay);
        if (outputTokens < 1) {
            throw new IllegalArgumentException("outputTokens must be >= 1, was " + outputTokens);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + maxConcurrency);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank (use null for no key)");
        }
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("modelName must not be blank");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
    }

    /** The settings without a host: binds to {@value #DEFAULT_HOST}. */
    public SimulatorConfig(
            int port,
            Duration timeToFirstToken,
            Duration interTokenDelay,
            int outputTokens,
            int maxConcurrency,
            @Nullable String apiKey,
            String modelName) {
        this(port, timeToFirstToken, interTokenDelay, outputTokens, maxConcurrency, apiKey, modelName, DEFAULT_HOST);
    }

    /** Port 8090, 200ms to the first token, 20ms between tokens, 40 tokens, 64 at once, no key. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(
                DEFAULT_PORT,
                DEFAULT_TTFT,
                DEFAULT_INTER_TOKEN,
                DEFAULT_OUTPUT_TOKENS,
                DEFAULT_MAX_CONCURRENCY,
                null,
                DEFAULT_MODEL,
                DEFAULT_HOST);
    }

    /**
     * Reads {@code --port=}, {@code --ttft=}, {@code --inter-token=}, {@code --tokens=}, {@code
     * --max-concurrency=}, {@code --api-key=}, {@code --model=} and {@code --host=}; each falls back to
     * its environment variable ({@code LLMSIM_PORT}, {@code LLMSIM_TTFT}, ...), then to {@link
     * #defaults()}. Durations are written like {@code 200ms}, {@code 1s} or {@code 0ms}.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value, naming it
     */
    public static SimulatorConfig fromArgs(String[] args) {
        return fromArgs(args, System.getenv());
    }

    static SimulatorConfig fromArgs(String[] args, Map<String, String> env) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "' (options look like --name=value; known: " + known() + ")");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (!OPTIONS.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + known() + ")");
            }
            given.put(name, arg.substring(arg.indexOf('=') + 1));
        }
        Settings s = new Settings(given, env);
        SimulatorConfig d = defaults();
        return new SimulatorConfig(
                s.integer("port", d.port(), 0, 65535),
                s.duration("ttft", d.timeToFirstToken()),
                s.duration("inter-token", d.interTokenDelay()),
                s.integer("tokens", d.outputTokens(), 1, Integer.MAX_VALUE),
                s.integer("max-concurrency", d.maxConcurrency(), 1, Integer.MAX_VALUE),
                s.text("api-key", null),
                textOrDefault(s.text("model", null), d.modelName()),
                textOrDefault(s.text("host", null), d.host()));
    }

    /** Parses {@code 200ms}, {@code 1s}, {@code 0ms} (whole numbers, unit ms or s). */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "invalid duration '" + text + "' (use a whole number with ms or s, e.g. 200ms, 1s, 0ms)");
        }
        long amount = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
    }

    static String formatDuration(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 && millis != 0 ? (millis / 1000) + "s" : millis + "ms";
    }

    /** The settings in the command-line form, without the API key's value. */
    String describe() {
        return "model=" + modelName + ", ttft=" + formatDuration(timeToFirstToken) + ", inter-token="
                + formatDuration(interTokenDelay) + ", tokens=" + outputTokens + ", max-concurrency="
                + maxConcurrency + ", api-key=" + (apiKey == null ? "off" : "required");
    }

    /** Hides the key, so the settings can be logged. */
    @Override
    public String toString() {
        return "SimulatorConfig[host=" + host + ", port=" + port + ", " + describe() + "]";
    }

    private static void requireNonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a non-negative duration, was " + d);
        }
    }

    private static String textOrDefault(@Nullable String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static String known() {
        return String.join(", ", OPTIONS.keySet().stream().map(n -> "--" + n).toList());
    }

    private static Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("port", "LLMSIM_PORT");
        o.put("ttft", "LLMSIM_TTFT");
        o.put("inter-token", "LLMSIM_INTER_TOKEN");
        o.put("tokens", "LLMSIM_TOKENS");
        o.put("max-concurrency", "LLMSIM_MAX_CONCURRENCY");
        o.put("api-key", "LLMSIM_API_KEY");
        o.put("model", "LLMSIM_MODEL");
        o.put("host", "LLMSIM_HOST");
        return Collections.unmodifiableMap(o);
    }

    /** Looks a setting up: the option first, then its environment variable; blank counts as absent. */
    private record Settings(Map<String, String> given, Map<String, String> env) {

        @Nullable
        String text(String option, @Nullable String fallback) {
            String source = "--" + option;
            String value = given.get(option);
            if (value == null) {
                source = OPTIONS.get(option);
                value = env.get(source);
            }
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        int integer(String option, int fallback, int min, int max) {
            String value = text(option, null);
            if (value == null) {
                return fallback;
            }
            int parsed;
            try {
                parsed = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source(option) + ": not a whole number: '" + value + "'");
            }
            if (parsed < min || parsed > max) {
                String range = max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
                throw new IllegalArgumentException(source(option) + ": must be " + range + ", was " + parsed);
            }
            return parsed;
        }

        Duration duration(String option, Duration fallback) {
            String value = text(option, null);
            if (value == null) {
                return fallback;
            }
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source(option) + ": " + e.getMessage());
            }
        }

        private String source(String option) {
            return given.containsKey(option) ? "--" + option : String.valueOf(OPTIONS.get(option));
        }
    }
}
