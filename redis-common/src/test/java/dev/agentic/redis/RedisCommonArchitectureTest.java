package dev.agentic.redis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Plain Lettuce, shared by the ingress and the workers: each application wires it into Spring itself.
 * One package, so no cycle rule.
 */
@AnalyzeClasses(packages = "dev.agentic.redis", importOptions = ImportOption.DoNotIncludeTests.class)
class RedisCommonArchitectureTest {
    @ArchTest
    static final ArchRule redisCommonDoesNotDependOnSpring =
            noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..");

    @ArchTest
    static final ArchRule redisCommonDoesNotDependOnTheApplications = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.agentic.ingress..", "dev.agentic.worker..");
}
