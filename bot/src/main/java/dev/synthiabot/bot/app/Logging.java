package dev.synthiabot.bot.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.synthiabot.config.LoggingSettings;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies {@code logging.*} to Logback once the settings are read: the root level, and JSON lines instead of text; and
 * routes java.util.logging (the HTTP server's) into the same log.
 */
final class Logging {
    private Logging() {}

    static void apply(LoggingSettings settings) {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.level(), Level.INFO));
        if (settings.json() && root.getAppender("CONSOLE") instanceof ConsoleAppender<ILoggingEvent> console) {
            JsonEncoder json = new JsonEncoder(); // one object per line: timestamp, level, thread, logger, the formatted message, a throwable
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.start();
            console.stop();
            console.setEncoder(json);
            console.start();
        }
    }
}
