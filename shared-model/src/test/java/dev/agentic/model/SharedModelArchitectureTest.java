package dev.agentic.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.agentic.model", importOptions = ImportOption.DoNotIncludeTests.class)
class SharedModelArchitectureTest {
    @ArchTest
    static final ArchRule wireContractsStayFreeOfSpringAndRedis = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "io.lettuce..", "org.redisson..", "redis.clients..");
}
