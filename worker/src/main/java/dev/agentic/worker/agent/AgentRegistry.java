package dev.agentic.worker.agent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The agents this worker can run, by name. */
public final class AgentRegistry {
    private final Map<String, Agent> agents;

    public AgentRegistry(List<Agent> agents) {
        this.agents = agents.stream().collect(Collectors.toUnmodifiableMap(Agent::name, Function.identity()));
    }

    public Optional<Agent> find(String name) {
        return Optional.ofNullable(agents.get(name));
    }

    public java.util.Set<String> names() {
        return agents.keySet();
    }
}
