/**
 * Splitting documents into chunks: {@link dev.agentic.retrieval.chunk.Chunker} with its {@link
 * dev.agentic.retrieval.chunk.ChunkingOptions}. Chunks are contiguous excerpts of the document that
 * end at paragraph, then sentence, then word boundaries, never cross a Markdown heading, and carry
 * their heading path.
 */
@NullMarked
package dev.agentic.retrieval.chunk;

import org.jspecify.annotations.NullMarked;
