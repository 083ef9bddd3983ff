package dev.agentic.retrieval.store;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.PointsGrpc;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A Qdrant stand-in on an in-process gRPC server, built on Qdrant's own generated service stubs
 * from the client jar. It records every request and its {@code api-key} header, keeps points in
 * memory, evaluates the filters this adapter sends (keyword must-match, must-not has-id), and can
 * be told to fail ({@link Mode}).
 */
final class FakeQdrant implements AutoCloseable {
    /** How the server answers. */
    enum Mode {
        NORMAL,
        /** Every call fails with {@code UNAVAILABLE}. */
        UNAVAILABLE,
        /** Every call fails with {@code INVALID_ARGUMENT}. */
        INVALID,
        /** No call is ever answered. */
        SILENT
    }

    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);

    final List<Object> requests = new CopyOnWriteArrayList<>();
    final List<String> apiKeys = new CopyOnWriteArrayList<>();
    final Map<String, Long> collections = new ConcurrentHashMap<>();
    final Map<PointId, PointStruct> points = new ConcurrentHashMap<>();
    volatile Mode mode = Mode.NORMAL;
    /** When set, a create for an existing collection fails like Qdrant does. */
    volatile boolean createRacesWithAnotherWorker;

    private final String name = "qdrant-" + System.nanoTime();
    private final Server server;
    private final AtomicLong operations = new AtomicLong();

    FakeQdrant() throws IOException {
        ServerInterceptor headers = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
                String key = metadata.get(API_KEY);
                apiKeys.add(key == null ? "" : key);
                return next.startCall(call, metadata);
            }
        };
        server = InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(new Collections(), headers))
                .addService(ServerInterceptors.intercept(new Points(), headers))
                .build()
                .start();
    }

    ManagedChannel channel() {
        return InProcessChannelBuilder.forName(name).build();
    }

    <T> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<PointStruct> pointsOf(String tenant, String documentId) {
        return points.values().stream()
                .filter(p -> p.getPayloadOrThrow("tenant").getStringValue().equals(tenant))
                .filter(p -> p.getPayloadOrThrow("document_id").getStringValue().equals(documentId))
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Records the request and answers it according to the mode; false if the call is failed or left hanging. */
    private boolean admit(Object request, StreamObserver<?> responses) {
        requests.add(request);
        return switch (mode) {
            case NORMAL -> true;
            case UNAVAILABLE -> fail(responses, Status.UNAVAILABLE.withDescription("connection refused"));
            case INVALID -> fail(responses, Status.INVALID_ARGUMENT.withDescription("bad request"));
            case SILENT -> false;
        };
    }

    private static boolean fail(StreamObserver<?> responses, Status status) {
        responses.onError(status.asRuntimeException());
        return false;
    }

    private static <T> void answer(StreamObserver<T> responses, T response) {
        responses.onNext(response);
        responses.onCompleted();
    }

    private PointsOperationResponse done() {
        return PointsOperationResponse.newBuilder()
                .setResult(UpdateResult.newBuilder()
                        .setOperationId(operations.incrementAndGet())
                        .setStatus(UpdateStatus.Completed))
                .build();
    }

    private final class Collections extends CollectionsGrpc.CollectionsImplBase {
        @Override
        public void collectionExists(
                CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> responses) {
            if (admit(request, responses)) {
                boolean exists = collections.containsKey(request.getCollectionName());
                answer(
                        responses,
                        CollectionExistsResponse.newBuilder()
                                .setResult(CollectionExists.newBuilder().setExists(exists))
                                .build());
            }
        }

        @Override
        public void create(CreateCollection request, StreamObserver<CollectionOperationResponse> responses) {
            if (!admit(request, responses)) {
                return;
            }
            if (createRacesWithAnotherWorker) {
                collections.put(
                        request.getCollectionName(),
                        request.getVectorsConfig().getParams().getSize());
                responses.onError(Status.ALREADY_EXISTS
                        .withDescription("Collection `" + request.getCollectionName() + "` already exists!")
                        .asRuntimeException());
                return;
            }
            collections.put(
                    request.getCollectionName(),
                    request.getVectorsConfig().getParams().getSize());
            answer(
                    responses,
                    CollectionOperationResponse.newBuilder().setResult(true).build());
        }

        @Override
        public void get(GetCollectionInfoRequest request, StreamObserver<GetCollectionInfoResponse> responses) {
            if (admit(request, responses)) {
                long size = collections.getOrDefault(request.getCollectionName(), 0L);
                CollectionParams params = CollectionParams.newBuilder()
                        .setVectorsConfig(VectorsConfig.newBuilder()
                                .setParams(VectorParams.newBuilder().setSize(size)))
                        .build();
                answer(
                        responses,
                        GetCollectionInfoResponse.newBuilder()
                                .setResult(CollectionInfo.newBuilder()
                                        .setConfig(CollectionConfig.newBuilder().setParams(params)))
                                .build());
            }
        }
    }

    private final class Points extends PointsGrpc.PointsImplBase {
        @Override
        public void upsert(UpsertPoints request, StreamObserver<PointsOperationResponse> responses) {
            if (admit(request, responses)) {
                request.getPointsList().forEach(point -> points.put(point.getId(), point));
                answer(responses, done());
            }
        }

        @Override
        public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> responses) {
            if (admit(request, responses)) {
                Filter filter = request.getPoints().getFilter();
                points.values().removeIf(point -> matches(filter, point));
                answer(responses, done());
            }
        }

        @Override
        public void createFieldIndex(
                CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> responses) {
            if (admit(request, responses)) {
                answer(responses, done());
            }
        }

        @Override
        public void query(QueryPoints request, StreamObserver<QueryResponse> responses) {
            if (!admit(request, responses)) {
                return;
            }
            List<Float> query = request.getQuery().getNearest().getDense().getDataList();
            List<ScoredPoint> hits = points.values().stream()
                    .filter(point -> matches(request.getFilter(), point))
                    .map(point -> ScoredPoint.newBuilder()
                            .setId(point.getId())
                            .putAllPayload(point.getPayloadMap())
                            .setScore(cosine(query, data(point.getVectors().getVector())))
                            .build())
                    .sorted(Comparator.comparingDouble(ScoredPoint::getScore).reversed())
                    .limit(request.getLimit())
                    .toList();
            answer(responses, QueryResponse.newBuilder().addAllResult(hits).build());
        }
    }

    private static List<Float> data(Vector vector) {
        return vector.hasDense() ? vector.getDense().getDataList() : vector.getDataList();
    }

    static boolean matches(Filter filter, PointStruct point) {
        return filter.getMustList().stream().allMatch(c -> holds(c, point))
                && filter.getMustNotList().stream().noneMatch(c -> holds(c, point));
    }

    private static boolean holds(Condition condition, PointStruct point) {
        return switch (condition.getConditionOneOfCase()) {
            case FIELD -> {
                Value value = point.getPayloadMap().get(condition.getField().getKey());
                yield value != null
                        && value.getStringValue()
                                .equals(condition.getField().getMatch().getKeyword());
            }
            case HAS_ID -> condition.getHasId().getHasIdList().contains(point.getId());
            default -> throw new UnsupportedOperationException("the fake does not evaluate " + condition);
        };
    }

    private static float cosine(List<Float> a, List<Float> b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.get(i) * b.get(i);
            na += a.get(i) * a.get(i);
            nb += b.get(i) * b.get(i);
        }
        return (float) (dot / Math.sqrt(na * nb));
    }

    static String describe(Filter filter) {
        return filter.getMustList().stream().map(Condition::toString).collect(Collectors.joining(", "));
    }
}
