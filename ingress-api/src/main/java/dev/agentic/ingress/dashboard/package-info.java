/**
 * The browser dashboard: its pages (built by module {@code dashboard}), the live overview of queue,
 * workers, dead letters and refusals, and the requests workers ended lately.
 */
@NullMarked
package dev.agentic.ingress.dashboard;

import org.jspecify.annotations.NullMarked;
