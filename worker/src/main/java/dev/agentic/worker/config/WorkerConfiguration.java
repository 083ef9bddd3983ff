package dev.agentic.worker.config;

import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.diagnostic.DiagnosticAgent;
import dev.agentic.worker.agent.general.ConversationMemory;
import dev.agentic.worker.agent.general.GeneralAgent;
import dev.agentic.worker.agent.knowledge.IngestAgent;
import dev.agentic.worker.agent.knowledge.RagAgent;
import dev.agentic.worker.agent.llm.BlockingHttpClientBuilder;
import dev.agentic.worker.agent.llm.LlmStream;
import dev.agentic.worker.agent.math.MathAgent;
import dev.agentic.worker.maintenance.QueueTrimming;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    @Bean(destroyMethod = "close")
    RedisConnector redisConnector(WorkerProperties properties) {
        return new RedisConnector(properties.redis().settings());
    }

    /** Shared, multiplexed connection for event appends and acks. */
    @Bean(destroyMethod = "close")
    RedisLink redisConnection(RedisConnector connector) {
        return connector.connect();
    }

    @Bean
    EventLog eventLog(RedisLink connection, WorkerProperties properties) {
        return new EventLog(
                connection.sync(),
                properties.worker().eventRetention(),
                properties.worker().statusRetention(),
                Clock.systemUTC());
    }

    /** The knowledge base of the ingest and rag agents, opened at their first job. */
    @Bean(destroyMethod = "close")
    LazyKnowledgeSource knowledgeSource(WorkerProperties properties) {
        return new LazyKnowledgeSource(properties.retrieval());
    }

    @Bean
    AgentRegistry agentRegistry(WorkerProperties properties, RedisLink connection, LazyKnowledgeSource knowledge) {
        LlmStream llm = llmStream(properties.llm());
        ConversationMemory memory = new RedisConversationMemory(
                connection,
                properties.sessions().maxTurns(),
                properties.sessions().ttl());
        WorkerProperties.Rag rag = properties.retrieval().rag();
        List<Agent> agents = new ArrayList<>(List.of(
                new MathAgent(),
                new GeneralAgent(llm, properties.llm().systemPrompt(), memory),
                new IngestAgent(knowledge, new RedisKnowledgeVersions(connection)),
                new RagAgent(
                        knowledge,
                        rag.topK(),
                        rag.minScore(),
                        rag.answer() == WorkerProperties.AnswerMode.LLM ? llm : null)));
        if (properties.worker().diagnosticAgent()) {
            agents.add(new DiagnosticAgent());
        }
        return new AgentRegistry(agents);
    }

    private static LlmStream llmStream(WorkerProperties.Llm llm) {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(llm.baseUrl())
                .apiKey(llm.apiKey())
                .modelName(llm.model())
                .maxTokens(llm.maxTokens())
                .timeout(llm.timeout())
                .httpClientBuilder(new BlockingHttpClientBuilder()
                        .connectTimeout(llm.connectTimeout())
                        .readTimeout(llm.timeout()))
                .build();
        return new LlmStream(model, llm.timeout());
    }

    /** Trims the lanes' acknowledged history and the dead letters (agentic.trim.*). */
    @Bean
    QueueTrimming queueTrimming(RedisLink connection, WorkerProperties properties, MeterRegistry meters) {
        return new QueueTrimming(connection, properties.trim().settings(), Clock.systemUTC(), meters);
    }
}
