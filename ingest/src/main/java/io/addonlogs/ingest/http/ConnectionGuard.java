package io.addonlogs.ingest.http;

import java.util.function.Consumer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
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
 * Used on the connection's event loop only.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final String DECODER = "httpDecoder";

    private Consumer<Throwable> watcher;
    private boolean refusing;

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

    /** From now on, broken HTTP framing of the body goes to {@code watcher}; null to stop. */
    void watchBody(Consumer<Throwable> watcher) {
        this.watcher = watcher;
    }

    /** The connection is answered with {@code Connection: close}: nothing after it is served. */
    void refuseMore() {
        refusing = true;
    }

    boolean refusing() {
        return refusing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Consumer<Throwable> w = watcher;
        if (w != null && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            watcher = null;
            refusing = true;
            w.accept(cause);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
