package dev.agentic.ingress.security;

import dev.agentic.ingress.admission.AdmissionTimer;
import dev.agentic.ingress.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Authenticates every {@code /api/**} and {@code /v1/**} call except the health endpoints, before its body is read:
 * 401 for a missing, garbled, unknown or revoked key, then 403 when the key lacks the handler's
 * {@link RequiresRole}. Failures go through the one problem+json handler like every other refusal.
 * Also lets handler methods take a {@link Caller} parameter.
 */
@Component
class AuthInterceptor implements HandlerInterceptor, WebMvcConfigurer, HandlerMethodArgumentResolver {
    private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
    /** Open to anyone: load balancers and orchestrators probe them without credentials. */
    static final List<String> OPEN_PATHS = List.of("/api/v1/health", "/api/v1/monitoring/**");

    private static final String BEARER = "bearer ";
    private static final int MAX_TOKEN_LENGTH = 256;

    private final ApiKeys keys;
    private final AdmissionTimer timer;

    AuthInterceptor(ApiKeys keys, AdmissionTimer timer) {
        this.keys = keys;
        this.timer = timer;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**", "/v1/**").excludePathPatterns(OPEN_PATHS);
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true; // no controller: a 404 for an unknown path, nothing to protect
        }
        // An async re-dispatch keeps the caller it was authenticated as; the role is checked again.
        Caller caller = Caller.find(request)
                .orElseGet(() ->
                        timer.time(request, "auth", () -> authenticate(request.getHeader(HttpHeaders.AUTHORIZATION))));
        request.setAttribute(Caller.ATTRIBUTE, caller);
        if (!method.hasMethodAnnotation(AnyRole.class)) {
            caller.require(requiredRole(method));
        }
        return true;
    }

    private Caller authenticate(@Nullable String authorization) {
        String token = bearerToken(authorization);
        Optional<Caller> caller = token == null ? Optional.empty() : keys.authenticate(token);
        return caller.orElseThrow(() -> new ApiException(
                HttpStatus.UNAUTHORIZED,
                "unauthorized",
                authorization == null
                        ? "An API key is required: Authorization: Bearer <key>"
                        : "The API key is not valid (malformed, unknown or revoked)"));
    }

    private static @Nullable String bearerToken(@Nullable String authorization) {
        if (authorization == null
                || authorization.length() > BEARER.length() + MAX_TOKEN_LENGTH
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static Role requiredRole(HandlerMethod method) {
        RequiresRole required = method.getMethodAnnotation(RequiresRole.class);
        if (required == null) {
            required = method.getBeanType().getAnnotation(RequiresRole.class);
        }
        if (required == null) {
            log.error("{} declares no @RequiresRole; only admin keys may call it", method.getShortLogMessage());
            return Role.ADMIN;
        }
        return required.value();
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Caller resolveArgument(
            MethodParameter parameter,
            @Nullable ModelAndViewContainer mav,
            NativeWebRequest request,
            @Nullable WebDataBinderFactory binders) {
        HttpServletRequest servlet = request.getNativeRequest(HttpServletRequest.class);
        if (servlet == null) {
            throw new IllegalStateException("not a servlet request");
        }
        return Caller.of(servlet);
    }
}
