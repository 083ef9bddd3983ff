package dev.agentic.ingress.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The role a controller (class) or one of its handler methods (method, which wins) requires. Every
 * handler under {@code /api/} except health should declare one: a handler without it is left to
 * admin keys only (and logged), and {@code AuthorizationMatrixTest} fails for it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresRole {
    Role value();
}
