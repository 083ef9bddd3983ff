package dev.agentic.worker.agent.knowledge;

import dev.agentic.model.IngestDocument;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.retrieval.Checkpoint;
import dev.agentic.retrieval.ContentType;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.chunk.TooManyChunksException;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.Tokens;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests one document into the tenant's knowledge base (jobs of agent {@value IngestDocument#AGENT}
 * on the batch lane, the query being {@link WireCodec#encodeIngest} JSON). Streams {@code
 * tool_start}, a {@code progress} metadata event after each batch of embedded chunks, {@code
 * tool_end}, a one-line answer and the result as metadata. Re-ingesting a document id replaces its
 * chunks. A successful ingestion bumps the tenant's knowledge version.
 *
 * <p>A cancelled or expired job (the job's thread is interrupted) or one whose request ended
 * elsewhere stops the ingestion at its next step: the next line, sentence or tile while chunking,
 * the next batch while embedding. Nothing is stored then; once the chunks are being written the
 * write completes (it is not torn midway). A document of more than {@value
 * dev.agentic.retrieval.Limits#MAX_CHUNKS_PER_DOCUMENT} chunks is {@code invalid_document}.
 */
public final class IngestAgent implements Agent {
    static final String TOOL = "ingest";
    static final String INVALID_DOCUMENT = "invalid_document";

    private static final Logger log = LoggerFactory.getLogger(IngestAgent.class);

    private final KnowledgeSource knowledge;
    private final KnowledgeVersions versions;

    public IngestAgent(KnowledgeSource knowledge, KnowledgeVersions versions) {
        this.knowledge = knowledge;
        this.versions = versions;
    }

    /** Chunking and embedding a document compute. */
    @Override
    public boolean computes() {
        return true;
    }

    @Override
    public String name() {
        return IngestDocument.AGENT;
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
        Document document = document(request);
        sink.toolStart(TOOL, document.id());
        int chunks = ingest(request, document, sink);
        sink.toolEnd(TOOL, chunks + " chunks");
        log.info(
                "Query(id={}, tenant={}) ingested document {}: {} chunks",
                request.requestId(),
                request.tenant(),
                document.id(),
                chunks);
        String answer = "Ingested " + document.id() + ": " + chunks + " chunks.";
        Tokens.split(answer).forEach(sink::token);
        sink.metadata(Map.of("document_id", document.id(), "chunks", chunks));
        return new AgentResult(
                new Usage(Tokens.estimate(document.text()), Tokens.split(answer).size(), 0), "stop");
    }

    /** The job's payload as a document of the job's tenant, or {@code invalid_document}. */
    static Document document(AgentRequest request) {
        try {
            IngestDocument payload = WireCodec.decodeIngest(request.query());
            ContentType type =
                    IngestDocument.MARKDOWN.equals(payload.contentType()) ? ContentType.MARKDOWN : ContentType.TEXT;
            return new Document(
                    payload.documentId(), request.tenant(), payload.title(), payload.text(), type, payload.metadata());
        } catch (MalformedWireDataException | IllegalArgumentException | NullPointerException e) {
            throw new AgentException(INVALID_DOCUMENT, "The document is not valid: " + reason(e), false, e);
        }
    }

    /** What is wrong with the payload, in words that name no internals. */
    private static String reason(RuntimeException e) {
        return e instanceof IllegalArgumentException
                ? String.valueOf(e.getMessage())
                : "expected a JSON object with document_id, text and content_type (text or markdown)";
    }

    private int ingest(AgentRequest request, Document document, EventSink sink) throws InterruptedException {
        AtomicBoolean stopped = new AtomicBoolean();
        Checkpoint checkpoint = () -> {
            if (stopped.get() || sink.isClosed()) {
                throw new CancellationException("ingestion stopped");
            }
        };
        try {
            return RetrievalFailures.call(request.requestId(), () -> {
                int stored = knowledge
                        .get()
                        .ingest(document, (done, total) -> progress(sink, checkpoint, done, total), checkpoint);
                // Here, not on the job's thread: a write that completes after a cancel or
                // deadline stopped the wait still retires the cached answers it makes stale.
                bumpVersion(request);
                return stored;
            });
        } catch (InterruptedException e) {
            stopped.set(true); // the ingestion stops at its next step, before anything is stored
            throw e;
        } catch (CancellationException e) {
            throw new AgentException("cancelled", "The request was cancelled", false, e);
        } catch (TooManyChunksException e) {
            throw new AgentException(INVALID_DOCUMENT, "The document is not valid: " + e.getMessage(), false, e);
        }
    }

    private static void progress(EventSink sink, Checkpoint checkpoint, int done, int total) {
        checkpoint.check(); // no progress event once the job is over
        sink.metadata(Map.of("progress", Map.of("chunks_done", done, "chunks_total", total)));
    }

    private void bumpVersion(AgentRequest request) {
        try {
            versions.bump(request.tenant());
        } catch (RuntimeException e) {
            log.warn(
                    "Query(id={}) stored its document but could not bump the knowledge version",
                    request.requestId(),
                    e);
            throw new AgentException(
                    RetrievalFailures.UNAVAILABLE,
                    "The document was stored, but cached answers could not be retired; please send it again",
                    true,
                    e);
        }
    }
}
