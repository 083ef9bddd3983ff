/**
 * Text to vectors: the {@link dev.agentic.retrieval.embed.Embedder} port with an in-process
 * all-MiniLM-L6-v2 (the ONNX model ships inside a Maven artifact; nothing is downloaded) and an
 * OpenAI-compatible {@code /v1/embeddings} client. Every embedder returns unit-length vectors.
 */
@NullMarked
package dev.agentic.retrieval.embed;

import org.jspecify.annotations.NullMarked;
