package io.addonlogs.ingest.http;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One per connection, in its Netty pipeline right after the HTTP decoder: what Vert.x's public API cannot do.
 *
 * <p>A broken chunk (bad chunk size, say) makes Netty's decoder emit a failed content; Vert.x then reports it to
 * the request and closes the connection at once, so a request that already stored frames could never give its
 * verdict. The guard takes the failed content out of the pipeline and hands the cause to the request streaming
 * the body ({@link #watchBody}), which answers 400 with its verdict once Kafka acknowledged what it stored, then
 * closes. Without a watcher the failure goes on to Vert.x as before. (Vert.x internals: {@link ConnectionBase} is
 * how a Vert.x 5 connection exposes its channel; the HTTP decoder's name is {@value #DECODER}.)
 *
 * <p>It also marks a connection whose remaining bytes cannot be trusted ({@link #refuseMore}): a request Vert.x
 * already parsed behind a rejected one on such a connection (pipelined, or smuggled in its body) is not served.
 *
 * <p>Such a connection is answered before the client has sent all it meant to, so its close lingers: closing a
 * socket with unread bytes makes the kernel send a reset, which can destroy the answer before the client has read
 * it (the client then sees a connection closed with no response). So a close of a refusing connection first
 * shuts down only the sending side (the client reads the answer, then the end), drops whatever still arrives, and
 * closes for good when the client does or after {@value #LINGER_MS} ms, as nginx's lingering close does.
 * Used on the connection's event loop only (Netty calls handlers there).
 */
final class ConnectionGuard extends ChannelDuplexHandler {

    private static final String DECODER = "httpDecoder";
    /** How long a refusing connection keeps reading (and dropping) after its answer before it closes anyway. */
    static final long LINGER_MS = 2_000;

    private enum State { SERVING, REFUSING, LINGERING }

    private Consumer<Throwable> watcher;
    private State state = State.SERVING;

    /** Installs a guard on a new connection; does nothing if the pipeline is not the one expected. */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
            if (pipeline.get(DECODER) != null && pipeline.get(ConnectionGuard.class) == null) {
                pipeline.addAfter(DECODER, "addonlogs-guard", new ConnectionGuard());
            }
        }
    }

    /** The connection's guard, or null (not installed). */
    static ConnectionGuard of(HttpConnection connection) {
        return connection instanceof ConnectionBase base
                ? base.channelHandlerContext().pipeline().get(ConnectionGuard.class) : null;
    }

    /**
     * The answer to {@code request} ends its connection: it says {@code Connection: close}, nothing after it is
     * served ({@link #refuseMore()}), and the connection closes once the answer is out, lingering (Vert.x itself
     * keeps a connection open after a {@code Connection: close} of the application's).
     */
    static void closeAfterAnswer(HttpServerRequest request) {
        refuseMore(request.connection());
        request.response().putHeader("Connection", "close").bodyEndHandler(v -> request.connection().close());
    }

    /** {@link #refuseMore()} on the connection's guard, if it has one. */
    static void refuseMore(HttpConnection connection) {
        ConnectionGuard guard = of(connection);
        if (guard != null) {
            guard.refuseMore();
        }
    }

    /** From now on, broken HTTP framing of the body goes to {@code watcher}; null to stop. */
    void watchBody(Consumer<Throwable> watcher) {
        this.watcher = watcher;
    }

    /** The connection is answered with {@code Connection: close}: nothing after it is served. */
    void refuseMore() {
        if (state == State.SERVING) {
            state = State.REFUSING;
        }
    }

    boolean refusing() {
        return state != State.SERVING;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.LINGERING) {
            ReferenceCountUtil.release(msg); // the answer is sent: what still arrives is read only to be dropped
            return;
        }
        Consumer<Throwable> w = watcher;
        if (w != null && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            watcher = null;
            state = State.REFUSING;
            w.accept(cause);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state != State.LINGERING) {
            ctx.fireChannelReadComplete();
        }
    }

    /** Whoever closes a refusing connection (this service, or Vert.x after a {@code Connection: close}): linger. */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel channel = ctx.channel();
        if (state != State.REFUSING || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            ctx.close(promise);
            return;
        }
        state = State.LINGERING;
        channel.closeFuture().addListener(f -> promise.trySuccess());
        // the answer is written: the client reads it, then the end of the stream; the client's close ends ours
        duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        channel.config().setAutoRead(true); // Vert.x may have paused reading with the request
        ctx.read();
        ctx.executor().schedule(() -> {
            if (channel.isOpen()) {
                ctx.close();
            }
        }, LINGER_MS, TimeUnit.MILLISECONDS);
    }
}
