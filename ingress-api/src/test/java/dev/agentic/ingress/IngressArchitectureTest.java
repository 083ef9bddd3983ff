package dev.agentic.ingress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.agentic.ingress", importOptions = ImportOption.DoNotIncludeTests.class)
class IngressArchitectureTest {
    @ArchTest
    static final ArchRule ingressDoesNotDependOnTheWorkerOrAgentLibraries = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.agentic.worker..", "dev.langchain4j..", "com.ezylang..");

    /** The relay streams any request's events; it knows nothing of how a query was accepted. */
    @ArchTest
    static final ArchRule relayDoesNotDependOnQuery = noClasses()
            .that()
            .resideInAPackage("dev.agentic.ingress.relay..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.agentic.ingress.query..");

    /**
     * The packages that send Redis commands themselves. The HTTP edge ({@code web}) and the rest
     * reach Redis through these or through redis-common ({@code RedisFailures} for the 503 mapping).
     */
    @ArchTest
    static final ArchRule onlyRedisFacingPackagesUseLettuce = noClasses()
            .that()
            .resideOutsideOfPackages(
                    "dev.agentic.ingress.admin..",
                    "dev.agentic.ingress.dashboard..",
                    "dev.agentic.ingress.admission..",
                    "dev.agentic.ingress.config..",
                    "dev.agentic.ingress.health..",
                    "dev.agentic.ingress.limits..",
                    "dev.agentic.ingress.query..",
                    "dev.agentic.ingress.relay..",
                    "dev.agentic.ingress.security..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.lettuce..")
            .because("Redis access stays in the packages that own a Redis protocol");

    @ArchTest
    static final ArchRule featurePackagesAreFreeOfCycles =
            slices().matching("dev.agentic.ingress.(*)..").should().beFreeOfCycles();
}
