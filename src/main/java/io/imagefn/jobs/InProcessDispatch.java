package io.imagefn.jobs;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;

/**
 * Jobs run on this instance's bounded pool ({@link JobRunner}), unless the build brings its platform's dispatch. The
 * instance takes at most {@code imagefn.jobs.max-concurrent} running and {@code max-queued} waiting jobs; beyond them
 * a submission is refused before anything is written.
 */
@DefaultBean
@ApplicationScoped
public class InProcessDispatch implements JobDispatch {

    private final JobRunner runner;
    private final boolean available = !onLambda();

    public InProcessDispatch(JobRunner runner) {
        this.runner = runner;
    }

    @Override
    public boolean available() {
        return available;
    }

    @Override
    public String token() {
        return runner.instance();
    }

    @Override
    public Place reserve() {
        return runner.reservePlace();
    }

    @Override
    public void dispatch(String owner, String id, String token, Place place) {
        runner.submit(owner, id, place);
    }

    /** The function-URL build carries the Lambda HTTP handler; any process under a Lambda runtime has its API. */
    static boolean onLambda() {
        try {
            Class.forName("io.quarkus.amazon.lambda.http.LambdaHttpHandler", false,
                    InProcessDispatch.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return System.getenv("AWS_LAMBDA_RUNTIME_API") != null;
        }
    }
}
