package dev.agentic.retrieval;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.agentic.retrieval", importOptions = ImportOption.DoNotIncludeTests.class)
class RetrievalArchitectureTest {
    @ArchTest
    static final ArchRule retrievalDoesNotUseLettuceOrSpring = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.lettuce..", "org.springframework..")
            .because("the worker wires retrieval in; Redis stays in redis-common and the worker");

    @ArchTest
    static final ArchRule featurePackagesAreFreeOfCycles =
            slices().matching("dev.agentic.retrieval.(*)..").should().beFreeOfCycles();
}
