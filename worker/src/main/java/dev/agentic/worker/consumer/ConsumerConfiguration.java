package dev.agentic.worker.consumer;

import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.UsageLedger;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.config.WorkerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The consumer's own beans, kept here so that {@code config} does not depend on {@code consumer} (no package cycle). */
@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

    @Bean
    JobRunner jobRunner(
            EventLog eventLog,
            AgentRegistry agents,
            CancelWatcher cancels,
            WorkerProperties properties,
            RedisLink connection,
            MeterRegistry meters) {
        return new JobRunner(
                eventLog,
                agents,
                cancels,
                properties.worker().consumerName(),
                properties.worker().redisRetry(),
                Clock.systemUTC(),
                meters,
                new JobRunner.Services(
                        ResponseCacheWriter.create(
                                connection,
                                properties.cache().agents(),
                                properties.cache().ttl(),
                                Clock.systemUTC()),
                        new UsageAccounting(
                                new UsageLedger(
                                        connection.sync(), properties.usage().retention()),
                                eventLog,
                                priceTable(properties.usage())),
                        new OutputLimits(
                                (int) properties.worker().maxEventBytes().toBytes(),
                                properties.worker().maxAnswerChars()),
                        properties.worker().tokenCoalesceWindow(),
                        new RecentRequests(properties.trim().recentRequests(), Clock.systemUTC())));
    }

    /** Pub/sub connection that tells running jobs when their request is cancelled. */
    @Bean
    CancelWatcher cancelWatcher(RedisConnector connector) {
        return new CancelWatcher(connector);
    }

    @Bean
    JobConsumer jobConsumer(
            RedisConnector connector,
            RedisLink connection,
            JobRunner runner,
            CancelWatcher cancels,
            WorkerProperties properties,
            MeterRegistry meters) {
        return new JobConsumer(
                connector,
                connection,
                runner,
                cancels,
                properties.worker(),
                meters,
                properties.trim().deadLetterJobBytes());
    }

    /** The configured prices (agentic.usage.prices.*) as the accounting uses them. */
    static Map<String, UsageAccounting.Price> priceTable(WorkerProperties.Usage usage) {
        Map<String, UsageAccounting.Price> table = new LinkedHashMap<>();
        Map<String, WorkerProperties.Price> prices = usage.prices();
        if (prices != null) {
            prices.forEach(
                    (agent, price) -> table.put(agent, new UsageAccounting.Price(price.input(), price.output())));
        }
        return table;
    }
}
