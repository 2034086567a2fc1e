package io.addonlogs.consumer;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Every log line of this JVM (both services' included) from {@link #start} until {@link #close}, at a level. */
final class CapturedLogs implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previous = root.getLevel();

    private CapturedLogs(Level level) {
        appender.start();
        root.addAppender(appender);
        root.setLevel(level);
    }

    /** Captures from now on, at {@code level} and above (the root level is restored at close). */
    static CapturedLogs start(Level level) {
        return new CapturedLogs(level);
    }

    /** The lines captured so far. */
    List<ILoggingEvent> events() {
        return appender.list;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previous);
    }
}
