package dev.agentic.retrieval.chunk;

import java.util.List;

/** The text under one heading (or before the first), with the path of headings above it. */
record Section(List<String> headingPath, String body) {
    Section {
        headingPath = List.copyOf(headingPath);
    }

    String path() {
        return String.join(" > ", headingPath);
    }
}
