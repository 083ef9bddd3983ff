package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The hand-written OpenAPI description (static/openapi.yaml) is valid OpenAPI 3.1 and matches the
 * code in both directions: every documented route and parameter exists, every route and parameter
 * of a controller is documented. Swagger UI serves it.
 */
class OpenApiDescriptionTest extends RedisBackedTest {
    /** Headers OpenAPI expresses through media types, not parameters. */
    private static final Set<String> MEDIA_HEADERS = Set.of("accept", "content-type");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private final HttpClient http = HttpClient.newHttpClient();

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(java.net.URI.create(url(path))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    private OpenAPI description() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true); // parameters named by $ref come back whole
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(get("/openapi.yaml"), null, options);
        assertThat(parsed.getMessages()).as("validation messages").isEmpty();
        assertThat(parsed.getOpenAPI()).isNotNull();
        return parsed.getOpenAPI();
    }

    @Test
    void theDescriptionIsValidOpenApi31() throws Exception {
        OpenAPI api = description();
        assertThat(api.getOpenapi()).startsWith("3.1");
        operations(api)
                .values()
                .forEach(operation -> assertThat(operation.getResponses())
                        .as(operation.getOperationId())
                        .isNotEmpty());
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
        assertThat(operations(description()).keySet()).containsExactlyElementsOf(routes().keySet());
    }

    @Test
    void everyParameterIsDocumentedAndEveryDocumentedParameterExists() throws Exception {
        Map<String, Operation> operations = operations(description());
        Map<String, PathItem> paths = description().getPaths();
        routes().forEach((route, handler) -> {
            Set<String> inCode = new TreeSet<>();
            for (MethodParameter parameter : handler.getMethodParameters()) {
                if (parameter.getParameterAnnotation(RequestParam.class) instanceof RequestParam param) {
                    inCode.add("query " + param.value());
                }
                if (parameter.getParameterAnnotation(PathVariable.class) instanceof PathVariable param) {
                    inCode.add("path " + (param.value().isEmpty() ? parameter.getParameterName() : param.value()));
                }
                if (parameter.getParameterAnnotation(RequestHeader.class) instanceof RequestHeader param
                        && !MEDIA_HEADERS.contains(param.value().toLowerCase(Locale.ROOT))) {
                    inCode.add("header " + param.value().toLowerCase(Locale.ROOT));
                }
            }
            Set<String> documented = new TreeSet<>();
            List<Parameter> all = new ArrayList<>();
            String path = route.substring(route.indexOf(' ') + 1);
            if (paths.get(path).getParameters() != null) {
                all.addAll(paths.get(path).getParameters());
            }
            if (operations.get(route).getParameters() != null) {
                all.addAll(operations.get(route).getParameters());
            }
            all.forEach(p -> documented.add(p.getIn() + " "
                    + ("header".equals(p.getIn()) ? p.getName().toLowerCase(Locale.ROOT) : p.getName())));
            assertThat(documented).as(route).isEqualTo(inCode);
        });
    }

    @Test
    void swaggerUiServesTheDescription() throws Exception {
        assertThat(get("/docs/index.html")).contains("swagger-ui-bundle.js").contains("/docs/init.js");
        assertThat(get("/docs/init.js")).contains("/openapi.yaml");
        assertThat(get("/webjars/swagger-ui/swagger-ui-bundle.js")).contains("SwaggerUIBundle");
        assertThat(get("/webjars/swagger-ui/swagger-ui.css")).isNotBlank();
    }

    /** "METHOD /path" of every operation in the description. */
    private static Map<String, Operation> operations(OpenAPI api) {
        Map<String, Operation> operations = new TreeMap<>();
        api.getPaths()
                .forEach((path, item) -> item.readOperationsMap()
                        .forEach((method, operation) -> operations.put(method.name() + " " + path, operation)));
        return operations;
    }

    /** "METHOD /path" of every controller route (the error page aside). */
    private Map<String, HandlerMethod> routes() {
        Map<String, HandlerMethod> routes = new TreeMap<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
                mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            for (String pattern : info.getPatternValues()) {
                if (pattern.equals("/error")) {
                    continue;
                }
                for (RequestMethod method : info.getMethodsCondition().getMethods()) {
                    routes.put(method.name() + " " + pattern, entry.getValue());
                }
            }
        }
        return routes;
    }
}
