package dev.agentic.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A worker: no public API, a management port for health and metrics. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {
    /**
     * Idle connections the JDK keeps alive per LLM endpoint ({@code http.maxConnections}, default
     * 5): as many as the worker may hold LLM streams, so a busy worker reuses its connections.
     */
    static final String LLM_KEEP_ALIVE_CONNECTIONS = "256";

    public static void main(String[] args) {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", LLM_KEEP_ALIVE_CONNECTIONS);
        }
        SpringApplication.run(WorkerApplication.class, args);
    }
}
