package dev.agentic.ingress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.agentic.ingress", importOptions = ImportOption.DoNotIncludeTests.class)
class IngressArchitectureTest {
    @ArchTest
    static final ArchRule ingressRunsNoAgentsOrLlmClients = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.agentic.worker..", "dev.langchain4j..", "com.ezylang..");

    @ArchTest
    static final ArchRule onlyTheEdgeSpeaksHttpErrors = noClasses()
            .that()
            .resideInAPackage("dev.agentic.ingress.relay..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.agentic.ingress.query..");
}
