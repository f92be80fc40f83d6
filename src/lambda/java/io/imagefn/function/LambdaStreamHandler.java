package io.imagefn.function;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import io.quarkus.funqy.lambda.FunqyLambdaBindingRecorder;
import io.quarkus.funqy.runtime.ApplicationException;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;

/**
 * The handler of the Lambda invoke functions on the Java runtime ({@code io.imagefn.function.LambdaStreamHandler::
 * handleRequest}), around Funqy's own. Two things Funqy's handler does not do:
 * <ul>
 * <li>a refusal leaves as its own {@link ImagesApiError} class, which the Java runtime reports as the
 * {@code errorType} (Funqy wraps every failure in its {@code ApplicationException});</li>
 * <li>the invocation's request id is handed to the function, which uses it as the idempotency key when the event has
 * none: Lambda retries a failed asynchronous invocation with the same request id, so the retry is not paid twice.</li>
 * </ul>
 */
public class LambdaStreamHandler implements RequestStreamHandler {

    /** False when Quarkus is already running in this JVM (a test), which is then not bootstrapped again. */
    private final boolean bootstrap = Application.currentApplication() == null;

    public LambdaStreamHandler() {
        // as Funqy's FunqyStreamHandler does: initialize when the runtime loads the handler (before a SnapStart
        // checkpoint), start on the first invocation
        if (bootstrap) {
            Quarkus.manualInitialize();
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        if (bootstrap) {
            Quarkus.manualStart();
        }
        LambdaRequestIds.begin(context == null ? null : context.getAwsRequestId());
        try {
            FunqyLambdaBindingRecorder.handle(input, output, context);
        } catch (ApplicationException e) {
            if (e.getCause() instanceof ImagesApiError refusal) {
                throw refusal;
            }
            throw e;
        } finally {
            LambdaRequestIds.end();
        }
    }
}
