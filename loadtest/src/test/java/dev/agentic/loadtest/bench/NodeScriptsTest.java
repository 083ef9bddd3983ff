package dev.agentic.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node parts of the load tools, checked with Node (k6 cannot be installed here): the k6 script
 * loads with its k6 modules stubbed and every scenario runs once against canned answers; the
 * BullMQ peer's files parse; the hop breakdown tool parses. Without {@code node} the tests are skipped, with a message; under
 * {@code CI=true} they fail instead.
 */
class NodeScriptsTest {
    private static final Path K6 = Path.of("k6");
    private static final Path PEER = Path.of("peers/bullmq");

    @BeforeAll
    static void nodeIsThere() {
        boolean present = run(List.of("node", "--version")).exit() == 0;
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(
                    "node is required (Node 20+: apt-get install nodejs) to check loadtest/k6/agentic.js");
        }
        assumeTrue(
                present,
                "node is not on the PATH: the k6 script and the BullMQ peer are not checked (install Node 20+)");
    }

    @Test
    void k6ScriptLoadsAndRunsEveryScenarioAgainstStubs() {
        Result result = run(List.of("node", K6.resolve("check-k6-script.mjs").toString()));
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("k6 script OK");
    }

    @Test
    void k6CheckFailsOnABrokenScript() throws IOException {
        Path broken = Files.createTempFile("broken-k6", ".js");
        try {
            Files.writeString(
                    broken,
                    Files.readString(K6.resolve("agentic.js"))
                            .replace("export function sseQuery() {", "export function sseQuery() {{"));
            Result result =
                    run(List.of("node", K6.resolve("check-k6-script.mjs").toString(), broken.toString()));
            assertThat(result.exit()).as(result.output()).isNotZero();
            assertThat(result.output()).contains("SyntaxError");
        } finally {
            Files.delete(broken);
        }
    }

    @Test
    void bullmqPeerFilesParseAndItsEvaluatorAnswersLikeTheMathAgent() {
        for (String file : List.of("peer.js", "worker.js", "math.js")) {
            Result result = run(List.of("node", "--check", PEER.resolve(file).toString()));
            assertThat(result.exit()).as(file + ": " + result.output()).isZero();
        }
        Result result = run(
                List.of(
                        "node",
                        "--input-type=module",
                        "-e",
                        "import { evaluate, expressionOf } from './" + PEER.resolve("math.js") + "';"
                                + "console.log(evaluate(expressionOf('What is 2+2?')), evaluate(expressionOf('What is 17 + 2?')), evaluate('2^3*(1+1)'))"));
        assertThat(result.output().strip()).isEqualTo("4 19 16");
        assertThat(PEER.resolve("package-lock.json")).exists();
    }

    @Test
    void hopBreakdownParsesAndExplainsItsArguments() {
        Path tool = Path.of("ab/hop-breakdown.mjs");
        assertThat(run(List.of("node", "--check", tool.toString())).exit()).isZero();
        Result result = run(List.of("node", tool.toString()));
        assertThat(result.exit()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("usage: hop-breakdown.mjs URL KEY STREAMS REDIS_PORT");
    }

    record Result(int exit, String output) {}

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(command))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
