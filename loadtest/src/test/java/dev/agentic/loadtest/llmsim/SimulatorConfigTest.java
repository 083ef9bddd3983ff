package dev.agentic.loadtest.llmsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatorConfigTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void defaultsAreTheDocumentedOnes() {
        SimulatorConfig d = SimulatorConfig.defaults();

        assertThat(d.port()).isEqualTo(8090);
        assertThat(d.timeToFirstToken()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.interTokenDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(d.outputTokens()).isEqualTo(40);
        assertThat(d.maxConcurrency()).isEqualTo(64);
        assertThat(d.apiKey()).isNull();
        assertThat(d.modelName()).isEqualTo("agentic-llm-simulator");
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(SimulatorConfig.fromArgs(new String[0], NO_ENV)).isEqualTo(d);
    }

    @Test
    void parsesEveryOption() {
        SimulatorConfig c = SimulatorConfig.fromArgs(
                new String[] {
                    "--port=0",
                    "--ttft=1s",
                    "--inter-token=0ms",
                    "--tokens=7",
                    "--max-concurrency=3",
                    "--api-key=secret",
                    "--model=sim-x",
                    "--host=0.0.0.0"
                },
                NO_ENV);

        assertThat(c)
                .isEqualTo(new SimulatorConfig(
                        0, Duration.ofSeconds(1), Duration.ZERO, 7, 3, "secret", "sim-x", "0.0.0.0"));
    }

    @ParameterizedTest
    @CsvSource({"200ms, 200", "1s, 1000", "0ms, 0", "0s, 0", "15 ms, 15", "2S, 2000"})
    void parsesDurations(String text, long millis) {
        assertThat(SimulatorConfig.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(SimulatorConfig.fromArgs(new String[] {"--ttft=" + text}, NO_ENV)
                        .timeToFirstToken())
                .isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void environmentFillsInAndArgumentsWin() {
        Map<String, String> env = Map.of(
                "LLMSIM_PORT", "9000",
                "LLMSIM_TTFT", "5ms",
                "LLMSIM_INTER_TOKEN", "1ms",
                "LLMSIM_TOKENS", "3",
                "LLMSIM_MAX_CONCURRENCY", "2",
                "LLMSIM_API_KEY", "from-env",
                "LLMSIM_MODEL", "env-model",
                "LLMSIM_HOST", "localhost");

        SimulatorConfig c = SimulatorConfig.fromArgs(new String[] {"--port=9001", "--tokens=4"}, env);

        assertThat(c)
                .isEqualTo(new SimulatorConfig(
                        9001, Duration.ofMillis(5), Duration.ofMillis(1), 4, 2, "from-env", "env-model", "localhost"));
    }

    @Test
    void blankApiKeyMeansNoKey() {
        assertThat(SimulatorConfig.fromArgs(new String[] {"--api-key="}, Map.of("LLMSIM_API_KEY", "x"))
                        .apiKey())
                .isNull();
        assertThat(SimulatorConfig.fromArgs(new String[0], Map.of("LLMSIM_API_KEY", " "))
                        .apiKey())
                .isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--ttft=abc|--ttft: invalid duration 'abc'",
                "--ttft=-5ms|--ttft: invalid duration '-5ms'",
                "--inter-token=20|--inter-token: invalid duration '20'",
                "--inter-token=1.5s|--inter-token: invalid duration '1.5s'",
                "--tokens=0|--tokens: must be at least 1, was 0",
                "--tokens=many|--tokens: not a whole number: 'many'",
                "--max-concurrency=0|--max-concurrency: must be at least 1, was 0",
                "--port=70000|--port: must be between 0 and 65535, was 70000",
                "--port=-1|--port: must be between 0 and 65535, was -1",
                "--colour=blue|unknown option --colour",
                "--port|unexpected argument '--port'",
                "8090|unexpected argument '8090'"
            })
    void rejectsBadValuesNamingTheOption(String arg, String message) {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(new String[] {arg}, NO_ENV))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(new String[0], Map.of("LLMSIM_TTFT", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LLMSIM_TTFT: invalid duration 'soon'");
    }

    @Test
    void constructorValidates() {
        Duration ms = Duration.ofMillis(1);
        assertThatThrownBy(() -> new SimulatorConfig(0, Duration.ofMillis(-1), ms, 1, 1, null, "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeToFirstToken");
        assertThatThrownBy(() -> new SimulatorConfig(0, ms, Duration.ofMillis(-1), 1, 1, null, "m"))
                .hasMessageContaining("interTokenDelay");
        assertThatThrownBy(() -> new SimulatorConfig(0, ms, ms, 0, 1, null, "m"))
                .hasMessageContaining("outputTokens");
        assertThatThrownBy(() -> new SimulatorConfig(0, ms, ms, 1, 0, null, "m"))
                .hasMessageContaining("maxConcurrency");
        assertThatThrownBy(() -> new SimulatorConfig(65536, ms, ms, 1, 1, null, "m"))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> new SimulatorConfig(0, ms, ms, 1, 1, null, " "))
                .hasMessageContaining("modelName");
        assertThat(new SimulatorConfig(0, Duration.ZERO, Duration.ZERO, 1, 1, null, "m").host())
                .isEqualTo("127.0.0.1");
    }

    @Test
    void toStringHidesTheApiKey() {
        SimulatorConfig c = new SimulatorConfig(0, Duration.ZERO, Duration.ZERO, 1, 1, "top-secret", "m");

        assertThat(c.toString()).doesNotContain("top-secret").contains("api-key=required");
    }
}
