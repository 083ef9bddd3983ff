/**
 * Retrieval building blocks shared by every part: the {@link dev.agentic.retrieval.Document} a
 * tenant ingests, the {@link dev.agentic.retrieval.Chunk}s it is split into, and the {@link
 * dev.agentic.retrieval.Limits} both are checked against. The features live in sub-packages:
 * {@code chunk} (splitting), {@code embed} (text to vectors), {@code store} (the vector store port
 * and its Lucene and Qdrant adapters), {@code knowledge} (the three put together) and {@code bench}.
 */
@NullMarked
package dev.agentic.retrieval;

import org.jspecify.annotations.NullMarked;
