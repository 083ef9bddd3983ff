package dev.agentic.loadtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The load tools drive the system from outside, over HTTP, as a client would. */
@AnalyzeClasses(packages = "dev.agentic.loadtest", importOptions = ImportOption.DoNotIncludeTests.class)
class LoadtestArchitectureTest {
    @ArchTest
    static final ArchRule loadtestDoesNotUseLettuce =
            noClasses().should().dependOnClassesThat().resideInAPackage("io.lettuce..");

    @ArchTest
    static final ArchRule subpackagesAreFreeOfCycles =
            slices().matching("dev.agentic.loadtest.(*)..").should().beFreeOfCycles();
}
