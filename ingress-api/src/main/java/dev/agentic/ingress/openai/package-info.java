/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} and {@code GET /v1/models}, answered
 * through the same intake, queue and workers as {@code /api/v1/query}, with OpenAI's chunks and
 * error shape.
 */
@NullMarked
package dev.agentic.ingress.openai;

import org.jspecify.annotations.NullMarked;
