package io.imagefn.observe;

import java.util.logging.Handler;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.jboss.logmanager.formatters.StructuredFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.imagefn.config.ImagefnConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * {@code imagefn.log.json=true}: every console line becomes one JSON object (JBoss LogManager's own formatter), with
 * the per-request fields under {@code mdc}. Switched at startup, so the few lines Quarkus writes while booting stay
 * plain text.
 */
@Singleton
public class JsonLogs {

    void onStart(@Observes StartupEvent start, ImagefnConfig config) {
        if (config.log().json()) {
            for (Handler handler : LogContext.getLogContext().getLogger("").getHandlers()) {
                useJson(handler);
            }
        }
    }

    private static void useJson(Handler handler) {
        if (handler instanceof ConsoleHandler console) {
            JsonFormatter json = new JsonFormatter();
            json.setExceptionOutputType(StructuredFormatter.ExceptionOutputType.FORMATTED);
            console.setFormatter(json);
        }
        if (handler instanceof ExtHandler parent) {
            for (Handler child : parent.getHandlers()) {
                useJson(child);
            }
        }
    }
}
