package dev.agentic.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Agents see an {@code AgentRequest} and an {@code EventSink}: never Redis, the web layer or the consumer. */
@AnalyzeClasses(packages = "dev.agentic.worker", importOptions = ImportOption.DoNotIncludeTests.class)
class WorkerArchitectureTest {

    @ArchTest
    static final ArchRule agentsDoNotTouchRedis = noClasses()
            .that()
            .resideInAPackage("dev.agentic.worker.agent..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.lettuce..", "dev.agentic.redis..")
            .because("agents stream through the EventSink; the consumer owns Redis");

    @ArchTest
    static final ArchRule agentsDoNotTouchTheWebLayer = noClasses()
            .that()
            .resideInAPackage("dev.agentic.worker.agent..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework.web..", "jakarta.servlet..");

    @ArchTest
    static final ArchRule agentsDoNotKnowTheConsumer = noClasses()
            .that()
            .resideInAPackage("dev.agentic.worker.agent..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.agentic.worker.consumer..")
            .because("the consumer runs agents, not the other way round");

    /** The packages that send Redis commands: the Redis adapters wired in {@code config}, the consumer, the trimming. */
    @ArchTest
    static final ArchRule onlyRedisFacingPackagesUseLettuce = noClasses()
            .that()
            .resideOutsideOfPackages(
                    "dev.agentic.worker.config..", "dev.agentic.worker.consumer..", "dev.agentic.worker.maintenance..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.lettuce..")
            .because("Redis access stays in the packages that own a Redis protocol");

    @ArchTest
    static final ArchRule featurePackagesAreFreeOfCycles =
            slices().matching("dev.agentic.worker.(*)..").should().beFreeOfCycles();
}
