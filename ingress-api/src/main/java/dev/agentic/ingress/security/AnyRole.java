package dev.agentic.ingress.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A handler any valid API key may call, whatever its roles (instead of {@link RequiresRole}): only
 * {@code GET /api/v1/me}, which tells a key what it may do.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AnyRole {}
