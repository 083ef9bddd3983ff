package dev.agentic.redis;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.internal.Exceptions;
import io.lettuce.core.protocol.PushHandler;
import io.lettuce.core.resource.ClientResources;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A Lettuce client whose synchronous API waits for a reply without a timer of its own.
 *
 * <p>Lettuce's {@code sync()} waits for each reply with a timed wait of the command timeout. On a
 * virtual thread a timed wait schedules a wake-up task on the JDK's delay scheduler and cancels it
 * when the reply comes: two hand-offs to that scheduler's thread per command, which profiles showed
 * as about a tenth of an ingress's and a worker's CPU at load. The timer is redundant here: every
 * client of {@link RedisSettings} enables Lettuce's command expiry ({@code TimeoutOptions}), which
 * fails a command that has no reply within its connection's timeout. So this client's {@code sync()}
 * waits untimed, and a command still ends by the same timeout, with the same {@code
 * RedisCommandTimeoutException}. Everything else (async, pub/sub, transactions) is Lettuce's own.
 */
final class UntimedSyncClient extends RedisClient {
    UntimedSyncClient(ClientResources resources, RedisURI uri) {
        super(resources, uri);
    }

    @Override
    protected <K, V> StatefulRedisConnectionImpl<K, V> newStatefulRedisConnection(
            RedisChannelWriter channelWriter, PushHandler pushHandler, RedisCodec<K, V> codec, Duration timeout) {
        return new StatefulRedisConnectionImpl<>(channelWriter, pushHandler, codec, timeout) {
            @Override
            protected RedisCommands<K, V> newRedisSyncCommandsImpl() {
                return UntimedSync.of(this, async());
            }
        };
    }

    /** The synchronous API as a proxy of the asynchronous one that waits for each reply untimed. */
    static final class UntimedSync implements InvocationHandler {
        private static final Map<Method, Method> ASYNC_METHODS = new ConcurrentHashMap<>();

        private final StatefulRedisConnection<?, ?> connection;
        private final RedisAsyncCommands<?, ?> async;

        private UntimedSync(StatefulRedisConnection<?, ?> connection, RedisAsyncCommands<?, ?> async) {
            this.connection = connection;
            this.async = async;
        }

        @SuppressWarnings("unchecked")
        static <K, V> RedisCommands<K, V> of(StatefulRedisConnection<K, V> connection, RedisAsyncCommands<K, V> async) {
            return (RedisCommands<K, V>) Proxy.newProxyInstance(
                    UntimedSyncClient.class.getClassLoader(),
                    new Class<?>[] {RedisCommands.class, RedisClusterCommands.class},
                    new UntimedSync(connection, async));
        }

        @Override
        public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> args != null && proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "UntimedSync[" + connection + "]";
                };
            }
            Object result;
            try {
                result = asyncMethod(method).invoke(async, args);
            } catch (InvocationTargetException e) {
                throw e.getCause() == null ? e : e.getCause();
            }
            if (!(result instanceof RedisFuture<?> future)) {
                return result;
            }
            // As Lettuce's own sync API: inside MULTI a command's reply comes with EXEC.
            if (connection.isMulti() && !isTransactionControl(method.getName())) {
                return null;
            }
            try {
                return future.get(); // ended by the command expiry at the latest
            } catch (Exception e) {
                throw Exceptions.bubble(e); // the cause, as Lettuce's sync API throws it
            }
        }

        private static boolean isTransactionControl(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "multi", "exec", "discard" -> true;
                default -> false;
            };
        }

        private Method asyncMethod(Method method) {
            return ASYNC_METHODS.computeIfAbsent(method, m -> {
                try {
                    return RedisAsyncCommands.class.getMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    try {
                        return async.getClass().getMethod(m.getName(), m.getParameterTypes());
                    } catch (NoSuchMethodException missing) {
                        throw new IllegalStateException("no asynchronous counterpart of " + m, missing);
                    }
                }
            });
        }
    }
}
