package dev.agentic.ingress.web;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Says precisely what is wrong with an unreadable JSON body, naming the field when there is one. */
final class JsonProblems {
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate Object property \"([^\"]*)\"");

    private JsonProblems() {}

    static ProblemDetail describe(Throwable failure) {
        JacksonException jackson = find(failure, JacksonException.class);
        if (jackson == null) {
            return malformed("The request body is not valid JSON");
        }
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            return unknownField(unknown);
        }
        String field = field(jackson.getPath());
        Matcher duplicate = DUPLICATE.matcher(Objects.toString(jackson.getOriginalMessage(), ""));
        if (duplicate.find()) {
            String name = ApiException.printable(duplicate.group(1));
            return withField(
                    ProblemAdvice.problem(
                            HttpStatus.BAD_REQUEST, "duplicate_field", "Field '" + name + "' appears more than once"),
                    name);
        }
        boolean wrongType = jackson instanceof MismatchedInputException || jackson instanceof InputCoercionException;
        if (!wrongType) {
            return malformed("The request body is not valid JSON (UTF-8)");
        }
        if (field.isEmpty()) {
            return malformed("The request body must be one JSON object, with nothing after it");
        }
        return withField(
                ProblemAdvice.problem(
                        HttpStatus.BAD_REQUEST,
                        "invalid_type",
                        "Field '" + field + "' must be " + expected(jackson) + " (values are never converted)"),
                field);
    }

    private static ProblemDetail unknownField(UnrecognizedPropertyException unknown) {
        String name = ApiException.printable(unknown.getPropertyName());
        TreeSet<String> allowed = unknown.getKnownPropertyIds().stream()
                .map(String::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        ProblemDetail problem = ProblemAdvice.problem(
                HttpStatus.BAD_REQUEST,
                "unknown_field",
                "Unknown field '" + name + "'; allowed fields: " + String.join(", ", allowed));
        problem.setProperty("allowed_fields", allowed);
        return withField(problem, name);
    }

    private static String expected(JacksonException failure) {
        Class<?> type = failure instanceof MismatchedInputException mismatch
                ? mismatch.getTargetType()
                : failure instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
        if (type == null) {
            return "a value of the right type";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number within range";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a value of the right type";
    }

    private static String field(List<JacksonException.Reference> path) {
        return path.stream()
                .map(ref -> ref.getPropertyName() != null
                        ? ApiException.printable(ref.getPropertyName())
                        : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static ProblemDetail withField(ProblemDetail problem, String field) {
        problem.setProperty("field", field);
        return problem;
    }

    private static ProblemDetail malformed(String detail) {
        return ProblemAdvice.problem(HttpStatus.BAD_REQUEST, "malformed_json", detail);
    }

    private static <T> @Nullable T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
