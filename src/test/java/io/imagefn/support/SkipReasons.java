package io.imagefn.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A skipped test says why on the console, not only in the Surefire report: a reader of the build's output sees
 * "SKIPPED PlaygroundBrowserTest ...: Chromium is not installed" rather than a bare count. Registered for every test
 * through src/test/resources/META-INF/services.
 */
public class SkipReasons implements TestWatcher {

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        System.err.println("SKIPPED " + context.getRequiredTestClass().getSimpleName() + " "
                + context.getDisplayName() + ": " + cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, java.util.Optional<String> reason) {
        System.err.println("SKIPPED " + context.getRequiredTestClass().getSimpleName() + " "
                + context.getDisplayName() + ": " + reason.orElse("disabled"));
    }
}
