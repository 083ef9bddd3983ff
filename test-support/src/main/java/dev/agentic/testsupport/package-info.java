/**
 * Real processes for tests: {@link dev.agentic.testsupport.RedisServer}, {@link
 * dev.agentic.testsupport.NginxServer} and {@link dev.agentic.testsupport.ServiceProcess} for the
 * packaged services. A missing binary fails the test under {@code CI=true} with an install hint and
 * skips it elsewhere.
 */
@NullMarked
package dev.agentic.testsupport;

import org.jspecify.annotations.NullMarked;
