package dev.agentic.ingress;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A thin HTTP ingress: many cheap SSE streams, no thread waits on an LLM. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngressApplication {
    public static void main(String[] args) {
        SpringApplication.run(IngressApplication.class, args);
    }
}
