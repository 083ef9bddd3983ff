package dev.agentic.worker.agent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.RecordingSink;
import dev.agentic.worker.agent.RecordingSink.Call;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Feeds generated hostile questions (power towers, nested factorials, huge literals, long chains,
 * deep parentheses, operator soup, unicode) to the real {@link MathAgent}. Every input must either
 * answer with a short result or be refused with an {@link AgentException}, within a per-input time
 * budget: never another exception, never an {@link Error}, never a result over the digit limit.
 */
class MathAgentFuzzTest {
    private static final long SEED = 9L;
    /** Generous for a busy machine: a bounded input takes milliseconds; the unbounded code took minutes. */
    private static final Duration PER_INPUT = Duration.ofSeconds(1);

    private static final Duration RUN_FOR = Duration.ofSeconds(3);
    private static final List<String> CODES = List.of("math_unparseable", "math_error", "math_too_large");
    private static final String[] FUNCTIONS = {
        "sqrt",
        "fact",
        "round",
        "abs",
        "log",
        "log10",
        "sin",
        "cos",
        "tan",
        "asin",
        "atanh",
        "max",
        "min",
        "sum",
        "average",
        "floor",
        "ceiling",
        "random",
        "dt_now",
        "str_upper",
        "if",
        "not",
        "coalesce",
        "x",
        "foo"
    };
    private static final String[] UNICODE = {
        "×", "÷", "−", "½", "²", "√", "π", "∞", "\u202e", "\u0000", "\r", "\n", "\t", "😀", "٣", "１", "e\u0301",
        "\uFEFF"
    };

    private final MathAgent agent = new MathAgent();

    @Test
    void answersOrRefusesEveryHostileInputWithinItsBudget() {
        Random random = new Random(SEED);
        List<Function<Random, String>> kinds = List.of(
                MathAgentFuzzTest::powerTower,
                MathAgentFuzzTest::nestedFactorial,
                MathAgentFuzzTest::hugeLiteral,
                MathAgentFuzzTest::longChain,
                MathAgentFuzzTest::deepParentheses,
                MathAgentFuzzTest::functionCall,
                MathAgentFuzzTest::operatorSoup,
                MathAgentFuzzTest::unicode,
                MathAgentFuzzTest::inWords);
        run("What is 2+2?", new RecordingSink()); // class loading is not the inputs' cost
        long end = System.nanoTime() + RUN_FOR.toNanos();
        Map<String, Integer> outcomes = new TreeMap<>();
        int inputs = 0;
        long slowest = 0;
        String slowestInput = "";
        while (System.nanoTime() < end || inputs < kinds.size()) {
            String query = kinds.get(inputs % kinds.size()).apply(random);
            long start = System.nanoTime();
            outcomes.merge(checkOne(query), 1, Integer::sum);
            long took = System.nanoTime() - start;
            if (took > slowest) {
                slowest = took;
                slowestInput = shown(query);
            }
            inputs++;
        }
        System.out.printf(
                "MathAgentFuzzTest: %d hostile inputs (seed %d): %s; slowest %.1f ms: %s%n",
                inputs, SEED, outcomes, slowest / 1e6, slowestInput);
        assertThat(outcomes).containsKeys("answered", "math_too_large", "math_unparseable");
    }

    /** Runs one input and checks what came out: {@code answered}, or the refusal's code. */
    private String checkOne(String query) {
        RecordingSink sink = new RecordingSink();
        @Nullable
        Throwable failure = assertTimeoutPreemptively(
                PER_INPUT, () -> run(query, sink), () -> "took longer than " + PER_INPUT + ": " + shown(query));
        if (failure != null) {
            assertThat(failure).as("input %s", shown(query)).isInstanceOfSatisfying(AgentException.class, e -> {
                assertThat(e.code()).isIn(CODES);
                assertThat(e.retryable()).isFalse();
            });
            return ((AgentException) failure).code();
        }
        assertThat(sink.calls())
                .as("input %s", shown(query))
                .filteredOn(call -> call.kind().equals("tool_end"))
                .singleElement()
                .extracting(Call::second)
                .asString()
                .hasSizeLessThanOrEqualTo(MathLimits.MAX_RESULT_CHARS);
        return "answered";
    }

    private @Nullable Throwable run(String query, RecordingSink sink) {
        try {
            agent.run(new AgentRequest("00000000-0000-0000-0000-000000000000", "t", query, null), sink);
            return null;
        } catch (Throwable e) { // Errors too: the test reports them as failures with the input
            return e;
        }
    }

    private static String shown(String query) {
        return query.length() <= 200 ? query : query.substring(0, 200) + "...(" + query.length() + " chars)";
    }

    private static String number(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> Integer.toString(random.nextInt(10));
            case 1 -> Integer.toString(random.nextInt(1_000_000_000));
            case 2 -> "9".repeat(1 + random.nextInt(80));
            case 3 -> random.nextInt(1000) + "." + random.nextInt(1000);
            case 4 -> "1e" + (random.nextBoolean() ? "-" : "") + random.nextInt(Integer.MAX_VALUE);
            default -> "0." + "0".repeat(random.nextInt(40)) + "1";
        };
    }

    private static String powerTower(Random random) {
        StringBuilder tower = new StringBuilder(number(random));
        for (int i = random.nextInt(6); i >= 0; i--) {
            tower.append(random.nextBoolean() ? "^" : " ^ ").append(random.nextInt(3) == 0 ? number(random) : "9");
        }
        return random.nextBoolean() ? tower.toString() : "(" + tower + ")^" + number(random);
    }

    private static String nestedFactorial(Random random) {
        int depth = 1 + random.nextInt(4);
        return "fact(".repeat(depth)
                + (random.nextBoolean() ? number(random) : random.nextInt(2000))
                + ")".repeat(depth);
    }

    private static String hugeLiteral(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "1e" + random.nextInt(100_000_000);
            case 1 -> "1".repeat(1 + random.nextInt(1000));
            case 2 -> "0x" + "f".repeat(1 + random.nextInt(600));
            default -> number(random) + " * " + number(random) + " / " + number(random);
        };
    }

    private static String longChain(Random random) {
        StringBuilder chain = new StringBuilder(number(random));
        String operators = "+-*/%^";
        for (int i = random.nextInt(5000); i >= 0; i--) {
            chain.append(operators.charAt(random.nextInt(operators.length()))).append(random.nextInt(100));
        }
        return chain.toString();
    }

    private static String deepParentheses(Random random) {
        int depth = random.nextInt(20_000);
        int close = random.nextInt(4) == 0 ? random.nextInt(depth + 1) : depth;
        return "(".repeat(depth) + number(random) + ")".repeat(close);
    }

    private static String functionCall(Random random) {
        String name = FUNCTIONS[random.nextInt(FUNCTIONS.length)];
        int arguments = random.nextInt(4);
        StringBuilder call = new StringBuilder(name).append('(');
        for (int i = 0; i < arguments; i++) {
            call.append(i == 0 ? "" : ", ").append(random.nextInt(3) == 0 ? powerTower(random) : number(random));
        }
        return call.append(')').toString();
    }

    private static String operatorSoup(Random random) {
        String alphabet = "0123456789+-*/^%()., exfactsqrt_";
        StringBuilder soup = new StringBuilder();
        for (int i = random.nextInt(700); i >= 0; i--) {
            soup.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return soup.toString();
    }

    private static String unicode(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(20); i >= 0; i--) {
            text.append(random.nextBoolean() ? UNICODE[random.nextInt(UNICODE.length)] : number(random));
        }
        return text.toString();
    }

    private static String inWords(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "What is " + number(random) + "% of " + number(random) + "?";
            case 1 -> number(random) + " to the power of " + number(random);
            case 2 -> "Please calculate: " + number(random) + " × " + number(random) + " =";
            case 3 -> "what is " + " ".repeat(random.nextInt(5000)) + number(random) + "?".repeat(random.nextInt(5000));
            default -> number(random) + "%" + " ".repeat(random.nextInt(5000)) + "of" + number(random);
        };
    }
}
