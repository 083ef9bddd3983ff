package dev.agentic.ingress.dashboard;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the dashboard's built files (module {@code dashboard}, bundled in this jar under {@code
 * static/dashboard/}) at {@code /dashboard/}, with a strict Content-Security-Policy: scripts, styles
 * and connections only from this origin, no inline script or style, no framing. The page holds no
 * secret: it asks for an API key and sends it only in the {@code Authorization} header.
 */
@Configuration(proxyBeanMethods = false)
class DashboardPages implements WebMvcConfigurer {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none';"
            + " base-uri 'none'; form-action 'self'";

    /** Built files carry a content hash in their names: cached for good, but only files that exist. */
    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/dashboard/assets/**")
                .addResourceLocations("classpath:/static/dashboard/assets/")
                .setCacheControl(
                        CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/dashboard", "/dashboard/");
        registry.addViewController("/dashboard/").setViewName("forward:/dashboard/index.html");
    }

    @Bean
    OncePerRequestFilter dashboardHeaders() {
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                String path = request.getRequestURI();
                return !(path.equals("/dashboard") || path.startsWith("/dashboard/"));
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                response.setHeader("X-Frame-Options", "DENY");
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.setHeader("Referrer-Policy", "no-referrer");
                if (!request.getRequestURI().startsWith("/dashboard/assets/")) {
                    response.setHeader("Cache-Control", "no-cache"); // the page names the current files
                }
                chain.doFilter(request, response);
            }
        };
    }
}
