package dev.agentic.retrieval.store;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;

import com.google.common.util.concurrent.ListenableFuture;
import dev.agentic.retrieval.Chunk;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qdrant over gRPC with the official client. One collection holds every tenant's chunks; each point
 * carries {@code tenant}, {@code document_id}, {@code chunk_index}, {@code text} and {@code
 * metadata}, and every search must-matches {@code tenant}.
 *
 * <p>Point ids are name-based UUIDs of (tenant, document id, chunk index), so ingesting a document
 * again overwrites its points; then the document's points that were not written (chunks it no
 * longer has) are deleted, so a reader never sees the document without chunks. A collection this
 * store creates gets payload indexes on {@code tenant} (a tenant index) and {@code document_id}.
 */
final class QdrantVectorStore implements VectorStore {
    static final String TENANT = "tenant";
    static final String DOCUMENT_ID = "document_id";
    static final String CHUNK_INDEX = "chunk_index";
    static final String TEXT = "text";
    static final String METADATA = "metadata";

    private static final Logger log = LoggerFactory.getLogger(QdrantVectorStore.class);
    private static final Set<Status.Code> RETRYABLE = Set.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.ABORTED,
            Status.Code.CANCELLED);

    private final QdrantSettings settings;
    private final QdrantClient client;
    private final Object collectionLock = new Object();
    private volatile boolean collectionReady;

    private QdrantVectorStore(QdrantSettings settings, QdrantClient client) {
        this.settings = settings;
        this.client = client;
    }

    static QdrantVectorStore connect(QdrantSettings settings) {
        QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(
                settings.host(), settings.port(), settings.useTls(), settings.checkCompatibility());
        return new QdrantVectorStore(settings, new QdrantClient(configure(builder, settings)));
    }

    /** Over a channel the caller made (tests use an in-process one); closing the store shuts it down. */
    static QdrantVectorStore over(ManagedChannel channel, QdrantSettings settings) {
        QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(channel, true, settings.checkCompatibility());
        return new QdrantVectorStore(settings, new QdrantClient(configure(builder, settings)));
    }

    private static QdrantGrpcClient configure(QdrantGrpcClient.Builder builder, QdrantSettings settings) {
        String apiKey = settings.apiKey();
        if (apiKey != null) {
            builder.withApiKey(apiKey);
        }
        return builder.withTimeout(settings.timeout()).build();
    }

    @Override
    public int dimension() {
        return settings.dimension();
    }

    @Override
    public void upsert(String tenant, String documentId, List<EmbeddedChunk> chunks) {
        StoreArguments.requireUpsert(tenant, documentId, chunks, settings.dimension());
        ensureCollection();
        List<PointStruct> points =
                chunks.stream().map(chunk -> point(tenant, chunk)).toList();
        for (int from = 0; from < points.size(); from += settings.upsertBatchSize()) {
            List<PointStruct> batch = points.subList(from, Math.min(points.size(), from + settings.upsertBatchSize()));
            call(
                    "upsert " + describe(tenant, documentId),
                    client.upsertAsync(UpsertPoints.newBuilder()
                            .setCollectionName(settings.collection())
                            .setWait(true)
                            .addAllPoints(batch)
                            .build()));
        }
        deletePoints(
                "delete leftover chunks of " + describe(tenant, documentId), leftovers(tenant, documentId, points));
    }

    @Override
    public void delete(String tenant, String documentId) {
        StoreArguments.requireDelete(tenant, documentId);
        ensureCollection();
        deletePoints("delete " + describe(tenant, documentId), documentFilter(tenant, documentId));
    }

    @Override
    public List<Match> search(String tenant, float[] query, int topK) {
        StoreArguments.requireSearch(tenant, query, topK, settings.dimension());
        ensureCollection();
        QueryPoints request = QueryPoints.newBuilder()
                .setCollectionName(settings.collection())
                .setQuery(nearest(query))
                .setFilter(tenantFilter(tenant))
                .setLimit(topK)
                .setWithPayload(enable(true))
                .build();
        List<ScoredPoint> points = call("search tenant " + tenant, client.queryAsync(request));
        return points.stream().map(QdrantVectorStore::toMatch).toList();
    }

    /** A name-based UUID of (tenant, document id, chunk index): the same chunk always gets the same id. */
    static UUID pointId(String tenant, String documentId, int chunkIndex) {
        String name = tenant + '\u0000' + documentId + '\u0000' + chunkIndex;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    private static PointStruct point(String tenant, EmbeddedChunk embedded) {
        Chunk chunk = embedded.chunk();
        Map<String, Value> metadata = new HashMap<>();
        chunk.metadata().forEach((key, val) -> metadata.put(key, value(val)));
        return PointStruct.newBuilder()
                .setId(id(pointId(tenant, chunk.documentId(), chunk.index())))
                .setVectors(vectors(embedded.vector()))
                .putPayload(TENANT, value(tenant))
                .putPayload(DOCUMENT_ID, value(chunk.documentId()))
                .putPayload(CHUNK_INDEX, value(chunk.index()))
                .putPayload(TEXT, value(chunk.text()))
                .putPayload(METADATA, value(metadata))
                .build();
    }

    private static Match toMatch(ScoredPoint point) {
        Map<String, Value> payload = point.getPayloadMap();
        Map<String, String> metadata = new HashMap<>();
        Value stored = payload.get(METADATA);
        if (stored != null) {
            stored.getStructValue().getFieldsMap().forEach((key, val) -> metadata.put(key, val.getStringValue()));
        }
        Chunk chunk = new Chunk(
                string(payload, DOCUMENT_ID),
                (int) payload.getOrDefault(CHUNK_INDEX, value(0)).getIntegerValue(),
                string(payload, TEXT),
                metadata);
        return new Match(chunk, point.getScore());
    }

    private static String string(Map<String, Value> payload, String key) {
        Value stored = payload.get(key);
        if (stored == null) {
            throw new VectorStoreException("a Qdrant point lacks the payload field " + key);
        }
        return stored.getStringValue();
    }

    private static Filter tenantFilter(String tenant) {
        return Filter.newBuilder().addMust(matchKeyword(TENANT, tenant)).build();
    }

    private static Filter documentFilter(String tenant, String documentId) {
        return Filter.newBuilder()
                .addMust(matchKeyword(TENANT, tenant))
                .addMust(matchKeyword(DOCUMENT_ID, documentId))
                .build();
    }

    /** The document's points that the upsert did not write: chunks it no longer has. */
    private static Filter leftovers(String tenant, String documentId, List<PointStruct> written) {
        Filter document = documentFilter(tenant, documentId);
        if (written.isEmpty()) {
            return document;
        }
        List<PointId> ids = written.stream().map(PointStruct::getId).toList();
        return document.toBuilder().addMustNot(hasId(ids)).build();
    }

    private void deletePoints(String action, Filter filter) {
        call(
                action,
                client.deleteAsync(DeletePoints.newBuilder()
                        .setCollectionName(settings.collection())
                        .setWait(true)
                        .setPoints(PointsSelector.newBuilder().setFilter(filter).build())
                        .build()));
    }

    /** Creates the collection if it is missing, or checks its vector size; once per store. */
    private void ensureCollection() {
        if (collectionReady) {
            return;
        }
        synchronized (collectionLock) {
            if (collectionReady) {
                return;
            }
            String name = settings.collection();
            boolean exists = call("check collection " + name, client.collectionExistsAsync(name));
            if (!exists) {
                exists = !create(name);
            }
            if (exists) {
                requireSize(call("read collection " + name, client.getCollectionInfoAsync(name)));
            }
            collectionReady = true;
        }
    }

    /** Creates the collection and its payload indexes; false if another process created it first. */
    private boolean create(String name) {
        VectorParams params = VectorParams.newBuilder()
                .setSize(settings.dimension())
                .setDistance(Distance.Cosine)
                .build();
        try {
            call("create collection " + name, client.createCollectionAsync(name, params));
        } catch (VectorStoreException e) {
            if (e.retryable() || !call("check collection " + name, client.collectionExistsAsync(name))) {
                throw e;
            }
            return false;
        }
        log.info("Qdrant(collection={}) created with {} dimensions, Cosine", name, settings.dimension());
        index(CreateFieldIndexCollection.newBuilder()
                .setFieldName(TENANT)
                .setFieldType(FieldType.FieldTypeKeyword)
                .setFieldIndexParams(PayloadIndexParams.newBuilder()
                        .setKeywordIndexParams(KeywordIndexParams.newBuilder().setIsTenant(true))));
        index(CreateFieldIndexCollection.newBuilder()
                .setFieldName(DOCUMENT_ID)
                .setFieldType(FieldType.FieldTypeKeyword));
        return true;
    }

    /** A payload index, so filters on the field do not scan the collection. */
    private void index(CreateFieldIndexCollection.Builder request) {
        CreateFieldIndexCollection built =
                request.setCollectionName(settings.collection()).setWait(true).build();
        call("index " + built.getFieldName(), client.createPayloadIndexAsync(built, settings.timeout()));
    }

    private void requireSize(CollectionInfo info) {
        long size = info.getConfig().getParams().getVectorsConfig().getParams().getSize();
        if (size != settings.dimension()) {
            throw new VectorStoreException("Qdrant collection " + settings.collection() + " holds vectors of " + size
                    + " dimensions, the embedder makes " + settings.dimension()
                    + "; use another collection or re-create this one");
        }
    }

    private <T> T call(String action, ListenableFuture<T> future) {
        try {
            // The gRPC deadline (settings.timeout) ends the call; the extra second only guards against a hang.
            return future.get(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new VectorStoreUnavailableException("interrupted during Qdrant " + action, e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new VectorStoreUnavailableException(
                    "Qdrant " + action + " did not answer within " + settings.timeout(), e);
        } catch (ExecutionException e) {
            throw translate(action, e.getCause() == null ? e : e.getCause());
        }
    }

    private VectorStoreException translate(String action, Throwable cause) {
        Status status = Status.fromThrowable(cause);
        String message = "Qdrant " + action + " at " + settings.host() + ":" + settings.port() + " failed: "
                + status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription());
        return RETRYABLE.contains(status.getCode())
                ? new VectorStoreUnavailableException(message, cause)
                : new VectorStoreException(message, cause);
    }

    private static String describe(String tenant, String documentId) {
        return "document " + documentId + " of tenant " + tenant;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "QdrantVectorStore[" + settings + "]";
    }
}
