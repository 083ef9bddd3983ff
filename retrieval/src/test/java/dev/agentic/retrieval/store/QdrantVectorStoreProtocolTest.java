package dev.agentic.retrieval.store;

import static dev.agentic.retrieval.store.Vectors.chunks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agentic.retrieval.Chunk;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Qdrant adapter against an in-process gRPC server that implements Qdrant's own service stubs
 * ({@link FakeQdrant}): what the adapter sends, and how it takes failures. No real Qdrant here.
 */
class QdrantVectorStoreProtocolTest {
    private static final int DIMENSION = 384;

    private FakeQdrant qdrant;
    private VectorStore store;

    @BeforeEach
    void startFake() throws IOException {
        qdrant = new FakeQdrant();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (store != null) {
            store.close();
        }
        qdrant.close();
    }

    @Test
    void createsAMissingCollectionWithTheEmbeddersDimensionAndCosine() {
        store = store(settings());

        store.search("acme", query(0), 3);

        CreateCollection create = qdrant.requests(CreateCollection.class).getFirst();
        assertThat(create.getCollectionName()).isEqualTo("agentic_chunks");
        assertThat(create.getVectorsConfig().getParams().getSize()).isEqualTo(384);
        assertThat(create.getVectorsConfig().getParams().getDistance()).isEqualTo(Distance.Cosine);
        assertThat(qdrant.requests(CreateFieldIndexCollection.class))
                .extracting(CreateFieldIndexCollection::getFieldName, CreateFieldIndexCollection::getFieldType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("tenant", FieldType.FieldTypeKeyword),
                        org.assertj.core.groups.Tuple.tuple("document_id", FieldType.FieldTypeKeyword));
        assertThat(qdrant.requests(CreateFieldIndexCollection.class)
                        .getFirst()
                        .getFieldIndexParams()
                        .getKeywordIndexParams()
                        .getIsTenant())
                .isTrue();
    }

    @Test
    void usesAnExistingCollectionAndChecksItOnlyOnce() {
        qdrant.collections.put("agentic_chunks", 384L);
        store = store(settings());

        store.upsert("acme", "doc", embedded("doc", 2));
        store.search("acme", query(0), 3);
        store.delete("acme", "doc");

        assertThat(qdrant.requests(CreateCollection.class)).isEmpty();
        assertThat(qdrant.requests(CollectionExistsRequest.class)).hasSize(1);
    }

    @Test
    void refusesAnExistingCollectionOfAnotherDimension() {
        qdrant.collections.put("agentic_chunks", 1536L);
        store = store(settings());

        assertThatThrownBy(() -> store.search("acme", query(0), 3))
                .isExactlyInstanceOf(VectorStoreException.class)
                .hasMessageContaining("1536 dimensions")
                .hasMessageContaining("384");
    }

    @Test
    void carriesOnWhenAnotherWorkerCreatesTheCollectionFirst() {
        qdrant.createRacesWithAnotherWorker = true;
        store = store(settings());

        store.upsert("acme", "doc", embedded("doc", 1));

        assertThat(qdrant.requests(UpsertPoints.class)).hasSize(1);
    }

    @Test
    void upsertsInBatchesOfTheConfiguredSizeAndWaitsForEach() {
        store = store(settings().withUpsertBatchSize(3));

        store.upsert("acme", "doc", embedded("doc", 7));

        assertThat(qdrant.requests(UpsertPoints.class))
                .extracting(UpsertPoints::getPointsCount)
                .containsExactly(3, 3, 1);
        assertThat(qdrant.requests(UpsertPoints.class)).allSatisfy(request -> {
            assertThat(request.getWait()).isTrue();
            assertThat(request.getCollectionName()).isEqualTo("agentic_chunks");
        });
    }

    @Test
    void derivesPointIdsFromTenantDocumentAndChunkIndex() {
        store = store(settings());

        store.upsert("acme", "doc", embedded("doc", 3));
        store.upsert("acme", "doc", embedded("doc", 3));
        store.upsert("globex", "doc", embedded("doc", 3));

        List<UpsertPoints> upserts = qdrant.requests(UpsertPoints.class);
        List<String> first = ids(upserts.get(0));
        assertThat(first)
                .containsExactly(uuid("acme", "doc", 0), uuid("acme", "doc", 1), uuid("acme", "doc", 2))
                .doesNotHaveDuplicates();
        assertThat(ids(upserts.get(1))).isEqualTo(first);
        assertThat(ids(upserts.get(2))).doesNotContainAnyElementsOf(first);
        assertThat(qdrant.points).hasSize(6);
    }

    @Test
    void replacesTheDocumentsChunksAndDeletesTheLeftovers() {
        store = store(settings());
        store.upsert("acme", "doc", embedded("doc", 5));
        store.upsert("acme", "other", embedded("other", 2));

        store.upsert("acme", "doc", embedded("doc", 2));

        DeletePoints leftovers = qdrant.requests(DeletePoints.class).getLast();
        assertThat(leftovers.getWait()).isTrue();
        assertThat(keywords(leftovers.getPoints().getFilter().getMustList()))
                .containsExactly(Map.entry("tenant", "acme"), Map.entry("document_id", "doc"));
        assertThat(leftovers.getPoints().getFilter().getMustNot(0).getHasId().getHasIdList())
                .extracting(PointId::getUuid)
                .containsExactly(uuid("acme", "doc", 0), uuid("acme", "doc", 1));
        assertThat(qdrant.pointsOf("acme", "doc")).hasSize(2);
        assertThat(qdrant.pointsOf("acme", "other")).hasSize(2);
    }

    @Test
    void deletesTheDocumentByTenantAndDocumentId() {
        store = store(settings());
        store.upsert("acme", "doc", embedded("doc", 2));
        store.upsert("globex", "doc", embedded("doc", 2));

        store.delete("acme", "doc");

        assertThat(keywords(qdrant.requests(DeletePoints.class)
                        .getLast()
                        .getPoints()
                        .getFilter()
                        .getMustList()))
                .containsExactly(Map.entry("tenant", "acme"), Map.entry("document_id", "doc"));
        assertThat(qdrant.pointsOf("acme", "doc")).isEmpty();
        assertThat(qdrant.pointsOf("globex", "doc")).hasSize(2);
    }

    @Test
    void sendsTenantDocumentIndexTextAndMetadataAsPayload() {
        store = store(settings());

        store.upsert(
                "acme",
                "doc",
                List.of(new EmbeddedChunk(
                        new Chunk("doc", 4, "the text", Map.of("title", "Guide", "section", "Install")), query(1))));

        PointStruct point = qdrant.requests(UpsertPoints.class).getFirst().getPoints(0);
        assertThat(point.getPayloadOrThrow("tenant").getStringValue()).isEqualTo("acme");
        assertThat(point.getPayloadOrThrow("document_id").getStringValue()).isEqualTo("doc");
        assertThat(point.getPayloadOrThrow("chunk_index").getIntegerValue()).isEqualTo(4);
        assertThat(point.getPayloadOrThrow("text").getStringValue()).isEqualTo("the text");
        assertThat(point.getPayloadOrThrow("metadata").getStructValue().getFieldsMap())
                .containsOnlyKeys("title", "section");
    }

    @Test
    void filtersEverySearchOnItsTenant() {
        store = store(settings());
        store.upsert("acme", "a", embedded("a", 3));
        store.upsert("globex", "g", embedded("g", 3));

        List<Match> acme = store.search("acme", query(0), 10);
        List<Match> globex = store.search("globex", query(0), 10);
        List<Match> nobody = store.search("initech", query(0), 10);

        assertThat(acme).extracting(m -> m.chunk().documentId()).containsOnly("a");
        assertThat(globex).extracting(m -> m.chunk().documentId()).containsOnly("g");
        assertThat(nobody).isEmpty();
        assertThat(qdrant.requests(QueryPoints.class))
                .extracting(q -> keywords(q.getFilter().getMustList()))
                .containsExactly(Map.of("tenant", "acme"), Map.of("tenant", "globex"), Map.of("tenant", "initech"));
        assertThat(qdrant.requests(QueryPoints.class)).allSatisfy(q -> {
            assertThat(q.getLimit()).isEqualTo(10);
            assertThat(q.getWithPayload().getEnable()).isTrue();
            assertThat(q.getQuery().getNearest().getDense().getDataCount()).isEqualTo(384);
        });
    }

    @Test
    void returnsMatchesWithTheirChunkAndCosineScore() {
        store = store(settings());
        store.upsert(
                "acme",
                "doc",
                List.of(new EmbeddedChunk(new Chunk("doc", 0, "the text", Map.of("title", "Guide")), query(5))));

        Match match = store.search("acme", query(5), 1).getFirst();

        assertThat(match.chunk()).isEqualTo(new Chunk("doc", 0, "the text", Map.of("title", "Guide")));
        assertThat(match.score()).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void sendsTheApiKeyWithEveryCall() {
        store = store(settings().withApiKey("secret-key"));

        store.upsert("acme", "doc", embedded("doc", 1));
        store.search("acme", query(0), 1);

        assertThat(qdrant.apiKeys).isNotEmpty().containsOnly("secret-key");
        assertThat(store.toString()).doesNotContain("secret-key");
    }

    @Test
    void reportsAnUnavailableServerAsRetryableAndRecovers() {
        store = store(settings());
        qdrant.mode = FakeQdrant.Mode.UNAVAILABLE;

        assertThatThrownBy(() -> store.search("acme", query(0), 1))
                .isInstanceOf(VectorStoreUnavailableException.class)
                .hasMessageContaining("UNAVAILABLE")
                .satisfies(
                        e -> assertThat(((VectorStoreException) e).retryable()).isTrue());

        qdrant.mode = FakeQdrant.Mode.NORMAL;
        store.upsert("acme", "doc", embedded("doc", 1));
        assertThat(store.search("acme", query(0), 1)).hasSize(1);
    }

    @Test
    void givesUpOnASilentServerAtTheTimeoutAsRetryable() {
        qdrant.collections.put("agentic_chunks", 384L);
        store = store(settings().withTimeout(Duration.ofMillis(300)));
        store.search("acme", query(0), 1); // the collection check succeeds
        qdrant.mode = FakeQdrant.Mode.SILENT;

        long started = System.nanoTime();
        assertThatThrownBy(() -> store.search("acme", query(0), 1))
                .isInstanceOf(VectorStoreUnavailableException.class)
                .hasMessageContaining("DEADLINE_EXCEEDED");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> store.upsert("acme", "doc", embedded("doc", 1)))
                .isInstanceOf(VectorStoreUnavailableException.class);
    }

    @Test
    void treatsARejectedRequestAsFinal() {
        store = store(settings());
        qdrant.mode = FakeQdrant.Mode.INVALID;

        assertThatThrownBy(() -> store.upsert("acme", "doc", embedded("doc", 1)))
                .isExactlyInstanceOf(VectorStoreException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .satisfies(
                        e -> assertThat(((VectorStoreException) e).retryable()).isFalse());
    }

    @Test
    void reportsAnUnreachableHostOverARealChannelAsRetryable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        store = VectorStore.qdrant(QdrantSettings.of("127.0.0.1", DIMENSION)
                .withEndpoint("127.0.0.1", closedPort, false)
                .withTimeout(Duration.ofSeconds(2)));

        assertThatThrownBy(() -> store.search("acme", query(0), 1))
                .isInstanceOf(VectorStoreUnavailableException.class)
                .hasMessageContaining("UNAVAILABLE");
    }

    @Test
    void refusesMalformedArgumentsBeforeCallingQdrant() {
        store = store(settings());

        assertThatThrownBy(() -> store.search("acme", new float[3], 1)).hasMessageContaining("dimensions");
        assertThatThrownBy(() -> store.search("", query(0), 1)).hasMessageContaining("tenant");
        assertThat(qdrant.requests).isEmpty();
    }

    private VectorStore store(QdrantSettings settings) {
        return QdrantVectorStore.over(qdrant.channel(), settings);
    }

    private static QdrantSettings settings() {
        return QdrantSettings.of("in-process", DIMENSION);
    }

    private static List<EmbeddedChunk> embedded(String documentId, int count) {
        return chunks(documentId, count, DIMENSION);
    }

    /** A unit vector along one axis, like the chunks from {@link Vectors#chunks}. */
    private static float[] query(int axis) {
        float[] vector = new float[DIMENSION];
        vector[axis] = 1;
        return vector;
    }

    private static List<String> ids(UpsertPoints upsert) {
        return upsert.getPointsList().stream().map(p -> p.getId().getUuid()).toList();
    }

    private static String uuid(String tenant, String documentId, int index) {
        return QdrantVectorStore.pointId(tenant, documentId, index).toString();
    }

    private static Map<String, String> keywords(List<Condition> conditions) {
        java.util.LinkedHashMap<String, String> keywords = new java.util.LinkedHashMap<>();
        conditions.forEach(
                c -> keywords.put(c.getField().getKey(), c.getField().getMatch().getKeyword()));
        return keywords;
    }

    @Test
    void makesNameBasedUuids() {
        UUID id = QdrantVectorStore.pointId("acme", "doc", 0);

        assertThat(id.version()).isEqualTo(3);
        assertThat(QdrantVectorStore.pointId("acme", "doc", 0)).isEqualTo(id);
        assertThat(QdrantVectorStore.pointId("acme", "doc0", 0)).isNotEqualTo(id);
    }
}
